//! The five HTTP handlers every kind of yearly row has (an action's status, a risk's
//! assessment, a recommendation's status): list a parent's rows, and get, put, delete and
//! review the row of one year. [`yearly_handlers!`] writes them for one kind from its routes,
//! its types, its repository functions and its texts, so that the kinds cannot drift apart.

/// Writes the five handlers of one kind of yearly row, each with its OpenAPI description,
/// and `routes`, which registers them.
///
/// The repository functions take, after the connection: `list` the parent's id; `find` the
/// id and the year; `put` the principal, id, year, input and precondition; `delete` the
/// principal, id, year and precondition; `review` the principal, id, year, the review and
/// the precondition. A handler's doc comment is its summary and description in Swagger.
macro_rules! yearly_handlers {
    (
        tag: $tag:tt,
        parent: ($parent:tt, $parent_text:tt),
        row: $row:ident, input: $input:ident,
        noun: ($noun:tt, $plural:tt),
        paths: ($collection:tt, $item:tt, $review_path:tt),
        location: $location:tt,
        example_year: $example:tt,
        routes: $routes:ident,
        $(#[$list_doc:meta])* list: $list:ident => $list_fn:path,
        $(#[$get_doc:meta])* get: $get:ident => $find_fn:path,
        $(#[$put_doc:meta])* put: $put:ident => $put_fn:path $(, conflict: $conflict:tt)?,
        $(#[$delete_doc:meta])* delete: $delete:ident => $delete_fn:path,
        $(#[$review_doc:meta])* review: $review:ident => $review_fn:path $(,)?
    ) => {
        pub use yearly_rows::$routes;

        /// The handlers, in a module of their own: the route attributes must be named `get`,
        /// `put`, ... for the OpenAPI description, which would clash with the caller's imports.
        mod yearly_rows {
            use super::*;
            use ::actix_web::{delete, get, post, put};

            pub fn $routes(cfg: &mut ::utoipa_actix_web::service_config::ServiceConfig) {
                cfg.service($list)
                    .service($get)
                    .service($put)
                    .service($delete)
                    .service($review);
            }

            $(#[$list_doc])*
            #[utoipa::path(
                tag = $tag,
                params(($parent = i32, Path, description = $parent_text, example = 1)),
                responses((status = 200, description = concat!("The ", $plural, "."), body = Vec<$row>))
            )]
            #[get($collection)]
            pub async fn $list(
                db: ::actix_web::web::Data<$crate::db::Database>,
                id: ::actix_web::web::Path<i32>,
            ) -> Result<::actix_web::web::Json<Vec<$row>>, $crate::error::ApiError> {
                let id = id.into_inner();
                Ok(::actix_web::web::Json(db.run(move |conn| $list_fn(conn, id)).await?))
            }

            $(#[$get_doc])*
            #[utoipa::path(
                tag = $tag,
                params(
                    ($parent = i32, Path, description = $parent_text, example = 1),
                    ("year" = i32, Path, description = "The year.", example = $example, minimum = 2000, maximum = 2100)
                ),
                responses((status = 200, description = concat!("The ", $noun, "."), body = $row))
            )]
            #[get($item)]
            pub async fn $get(
                db: ::actix_web::web::Data<$crate::db::Database>,
                path: ::actix_web::web::Path<(i32, i32)>,
                req: ::actix_web::HttpRequest,
            ) -> Result<::actix_web::HttpResponse, $crate::error::ApiError> {
                let (id, year) = path.into_inner();
                $crate::api::respond::read(&db, &req, move |conn| $find_fn(conn, id, year)).await
            }

            $(#[$put_doc])*
            #[utoipa::path(
                tag = $tag,
                params(
                    ($parent = i32, Path, description = $parent_text, example = 1),
                    ("year" = i32, Path, description = "The year, 2000 to 2100.", example = $example, minimum = 2000, maximum = 2100)
                ),
                request_body(content = $input, content_type = "application/json"),
                responses(
                    (status = 200, description = concat!("The ", $noun, " was replaced."), body = $row),
                    (status = 201, description = concat!("The ", $noun, " was created."), body = $row)
                    $(, (status = 409, description = $conflict, body = $crate::error::Problem, content_type = "application/problem+json"))?
                )
            )]
            #[put($item)]
            pub async fn $put(
                db: ::actix_web::web::Data<$crate::db::Database>,
                principal: $crate::auth::Principal,
                path: ::actix_web::web::Path<(i32, i32)>,
                body: $crate::api::Json<$input>,
                req: ::actix_web::HttpRequest,
            ) -> Result<::actix_web::HttpResponse, $crate::error::ApiError> {
                let (id, year) = path.into_inner();
                $crate::api::check_year(year)?;
                let location = format!($location, id, year);
                $crate::api::respond::put(&db, &req, body.0, location, move |conn, input, precondition| {
                    $put_fn(conn, &principal, id, year, input, precondition)
                })
                .await
            }

            $(#[$delete_doc])*
            #[utoipa::path(
                tag = $tag,
                params(
                    ($parent = i32, Path, description = $parent_text, example = 1),
                    ("year" = i32, Path, description = "The year.", example = $example, minimum = 2000, maximum = 2100)
                ),
                responses((status = 204, description = concat!("The ", $noun, " was deleted.")))
            )]
            #[delete($item)]
            pub async fn $delete(
                db: ::actix_web::web::Data<$crate::db::Database>,
                principal: $crate::auth::Principal,
                path: ::actix_web::web::Path<(i32, i32)>,
                req: ::actix_web::HttpRequest,
            ) -> Result<::actix_web::HttpResponse, $crate::error::ApiError> {
                let (id, year) = path.into_inner();
                $crate::api::respond::remove(&db, &req, move |conn, precondition| {
                    $delete_fn(conn, &principal, id, year, precondition)
                })
                .await
            }

            $(#[$review_doc])*
            #[utoipa::path(
                tag = $tag,
                params(
                    ($parent = i32, Path, description = $parent_text, example = 1),
                    ("year" = i32, Path, description = "The year.", example = 2023, minimum = 2000, maximum = 2100)
                ),
                request_body(content = $crate::years::ReviewInput, content_type = "application/json"),
                responses(
                    (status = 200, description = concat!("The reviewed ", $noun, "."), body = $row),
                    (status = 403, description = concat!("The caller submitted this ", $noun, "."), body = $crate::error::Problem, content_type = "application/problem+json"),
                    (status = 409, description = concat!("The ", $noun, " is not waiting for review."), body = $crate::error::Problem, content_type = "application/problem+json")
                )
            )]
            #[post($review_path)]
            pub async fn $review(
                db: ::actix_web::web::Data<$crate::db::Database>,
                principal: $crate::auth::Principal,
                path: ::actix_web::web::Path<(i32, i32)>,
                body: $crate::api::Json<$crate::years::ReviewInput>,
                req: ::actix_web::HttpRequest,
            ) -> Result<::actix_web::HttpResponse, $crate::error::ApiError> {
                let (id, year) = path.into_inner();
                $crate::api::respond::change(&db, &req, body.0, move |conn, input, precondition| {
                    $review_fn(conn, &principal, id, year, &input, precondition)
                })
                .await
            }
        }
    };
}

pub(crate) use yearly_handlers;
