//! The handlers of one item that most resources have: get it, change it with a JSON Merge
//! Patch, delete it. [`item_handlers!`] writes them for one resource from its path, its types,
//! its repository functions and its texts; a resource whose handler does more (a delete with
//! `?cascade=`) writes that one itself.

/// The key of an item in its path, as its repository functions take it: a number as is, a
/// slug as `&str`.
pub trait PathKey: Send + 'static {
    type Arg<'a>;
    fn arg(&self) -> Self::Arg<'_>;
}

impl PathKey for i32 {
    type Arg<'a> = i32;
    fn arg(&self) -> i32 {
        *self
    }
}

impl PathKey for String {
    type Arg<'a> = &'a str;
    fn arg(&self) -> &str {
        self
    }
}

/// Writes `get`, and optionally `list` (a page in the natural order, at the collection's
/// path), `create` (once per `Idempotency-Key`, at the collection's path; the new item's
/// `Location` is that path and its `id`), `update` and `delete`, of one resource's items,
/// each with its OpenAPI description, and `routes`, which registers them.
///
/// The repository functions take, after the connection: `list` what `respond::list` gives
/// them, with `key` the row's key for the cursor; `create` the principal and the new item;
/// `get` the key; `update` the principal, key, patch and precondition; `delete` the
/// principal, key and precondition (with `cascade`, whether `?cascade=true` was given, before
/// it). A handler's doc comment is its summary and description
/// in Swagger; `conflict` adds a 409 with that description.
macro_rules! item_handlers {
    (
        tag: $tag:tt,
        key: $key:ty, ($name:tt, $key_text:tt, $example:tt),
        path: $path:tt,
        row: $row:ident,
        noun: $noun:tt,
        routes: $routes:ident,
        $(list: {
            $(#[$list_doc:meta])* $list:ident at $list_path:tt => $list_fn:path, $key_fn:path,
            page: $page_text:tt
        },)?
        $(create: {
            $(#[$create_doc:meta])* $create:ident($new:ident) at $collection:tt => $create_fn:path,
            created: $created:tt, conflict: $create_conflict:tt
        },)?
        get: { $(#[$get_doc:meta])* $get:ident => $find_fn:path },
        $(update: {
            $(#[$update_doc:meta])* $update:ident($patch:ident) => $update_fn:path
            $(, conflict: $update_conflict:tt)?
        },)?
        $(delete: {
            $(#[$delete_doc:meta])* $delete:ident => $delete_fn:path
            $(, conflict: $delete_conflict:tt)?
            $(, cascade: $cascade:ident)?
        },)?
    ) => {
        pub use item_rows::$routes;

        /// The handlers, in a module of their own: the route attributes must be named `get`,
        /// `patch`, ... for the OpenAPI description, which would clash with the caller's
        /// imports.
        mod item_rows {
            use super::*;
            use $crate::api::handlers::PathKey as _;
            #[allow(unused_imports)] // `post`, `patch` and `delete` are for the optional handlers
            use ::actix_web::{delete, get, patch, post};
            #[allow(unused_imports)]
            use $crate::api::{ListParams, Page};

            pub fn $routes(cfg: &mut ::utoipa_actix_web::service_config::ServiceConfig) {
                $(cfg.service($list);)?
                $(cfg.service($create);)?
                cfg.service($get)$(.service($update))?$(.service($delete))?;
            }

            $(
            $(#[$list_doc])*
            #[utoipa::path(
                tag = $tag,
                params(ListParams),
                responses((status = 200, description = $page_text, body = Page<$row>))
            )]
            #[get($list_path)]
            pub async fn $list(
                db: ::actix_web::web::Data<$crate::db::Database>,
                $crate::api::Query(params): $crate::api::Query<ListParams>,
                req: ::actix_web::HttpRequest,
            ) -> Result<Page<$row>, $crate::error::ApiError> {
                $crate::api::respond::list(&db, &req, params, $list_fn, $key_fn).await
            }
            )?

            $(
            $(#[$create_doc])*
            #[utoipa::path(
                params(("Idempotency-Key" = Option<String>, Header, description = "A unique key per intended create (e.g. a UUID): a retry with the same key and body gets the first answer again, for 24 hours.", example = "5d1c9a52-6f0e-4c3b-9a4f-2f7d8e1b0c3a", pattern = r"^[!-~]{1,255}$")),
                tag = $tag,
                request_body(content = $new, content_type = "application/json"),
                responses(
                    (status = 201, description = $created, body = $row),
                    (status = 409, description = $create_conflict, body = $crate::error::Problem, content_type = "application/problem+json")
                )
            )]
            #[post($collection)]
            pub async fn $create(
                db: ::actix_web::web::Data<$crate::db::Database>,
                principal: $crate::auth::Principal,
                body: $crate::api::Json<$new>,
                req: ::actix_web::HttpRequest,
            ) -> Result<::actix_web::HttpResponse, $crate::error::ApiError> {
                $crate::api::respond::create_once(
                    &db,
                    &req,
                    principal,
                    stringify!($create),
                    body.0,
                    |row: &$row| format!(concat!("/api/v1", $collection, "/{}"), row.id),
                    $create_fn,
                )
                .await
            }
            )?

            $(#[$get_doc])*
            #[utoipa::path(
                tag = $tag,
                params(($name = $key, Path, description = $key_text, example = $example)),
                responses((status = 200, description = concat!("The ", $noun, "."), body = $row))
            )]
            #[get($path)]
            pub async fn $get(
                db: ::actix_web::web::Data<$crate::db::Database>,
                id: ::actix_web::web::Path<$key>,
                req: ::actix_web::HttpRequest,
            ) -> Result<::actix_web::HttpResponse, $crate::error::ApiError> {
                let id = id.into_inner();
                $crate::api::respond::read(&db, &req, move |conn| $find_fn(conn, id.arg())).await
            }

            $(
            $(#[$update_doc])*
            #[utoipa::path(
                tag = $tag,
                params(($name = $key, Path, description = $key_text, example = $example)),
                request_body(content = $patch, content_type = "application/merge-patch+json"),
                responses(
                    (status = 200, description = concat!("The changed ", $noun, "."), body = $row)
                    $(, (status = 409, description = $update_conflict, body = $crate::error::Problem, content_type = "application/problem+json"))?
                )
            )]
            #[patch($path)]
            pub async fn $update(
                db: ::actix_web::web::Data<$crate::db::Database>,
                principal: $crate::auth::Principal,
                id: ::actix_web::web::Path<$key>,
                body: $crate::api::MergePatch<$patch>,
                req: ::actix_web::HttpRequest,
            ) -> Result<::actix_web::HttpResponse, $crate::error::ApiError> {
                let id = id.into_inner();
                $crate::api::respond::change(&db, &req, body.0, move |conn, patch, precondition| {
                    $update_fn(conn, &principal, id.arg(), patch, precondition)
                })
                .await
            }
            )?

            $(
            $(#[$delete_doc])*
            #[utoipa::path(
                tag = $tag,
                params(($name = $key, Path, description = $key_text, example = $example) $(, $cascade)?),
                responses(
                    (status = 204, description = concat!("The ", $noun, " was deleted."))
                    $(, (status = 409, description = $delete_conflict, body = $crate::error::Problem, content_type = "application/problem+json"))?
                )
            )]
            #[delete($path)]
            pub async fn $delete(
                db: ::actix_web::web::Data<$crate::db::Database>,
                principal: $crate::auth::Principal,
                id: ::actix_web::web::Path<$key>,
                $(cascade: $crate::api::Query<$cascade>,)?
                req: ::actix_web::HttpRequest,
            ) -> Result<::actix_web::HttpResponse, $crate::error::ApiError> {
                let id = id.into_inner();
                $crate::api::respond::remove(&db, &req, move |conn, precondition| {
                    $delete_fn(conn, &principal, id.arg(), $($cascade::given(cascade.0),)? precondition)
                })
                .await
            }
            )?
        }
    };
}

pub(crate) use item_handlers;
