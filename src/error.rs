//! One error type for every failure a client can see, rendered as RFC 9457
//! `application/problem+json`.

use actix_web::http::{header, Method, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::limits;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The schemes a client may authenticate with: a bearer token, or Basic with any user name
/// and the token as password (what PowerBI's Web connector stores).
pub const CHALLENGE: &str = "Bearer realm=\"voortgang\", Basic realm=\"voortgang\"";

/// Seconds a client should wait before retrying when the database is unavailable.
pub const RETRY_AFTER_SECS: u32 = 5;

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// URI reference identifying the problem type; `about:blank` when the HTTP status says it all.
    #[schema(example = "urn:voortgang:problem:validation")]
    pub r#type: &'static str,
    /// Short, human-readable summary of the problem type.
    #[schema(example = "Validation failed")]
    pub title: String,
    /// The HTTP status code of this response.
    #[schema(example = 422)]
    pub status: u16,
    /// Explanation specific to this occurrence of the problem.
    #[schema(example = "The request body has 1 invalid field.")]
    pub detail: String,
    /// The fields that failed validation (only on validation problems).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub errors: Option<Vec<FieldError>>,
    /// The id of the request (also its `X-Request-Id` header): quote it when reporting a
    /// problem, it finds the request in the log and its writes in the audit trail.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, example = "4f9c2a1e7b3d8c05")]
    pub request_id: Option<String>,
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Name of the field (dotted path for nested fields).
    #[schema(example = "name")]
    pub field: String,
    /// What is wrong with it.
    #[schema(example = "must be 1 to 200 characters")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: bounded(field.into(), limits::FIELD_MAX),
            message: bounded(message.into(), limits::MESSAGE_MAX),
        }
    }
}

/// Every error a handler can return.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed(Vec<Method>),
    #[error("{0}")]
    Conflict(String),
    #[error("the resource was changed since it was read (If-Match does not match its ETag)")]
    PreconditionFailed,
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    RequestTimeout(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{detail}")]
    Validation {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{detail}")]
    TooManyRequests { detail: String, retry_after: u64 },
    #[error("{0}")]
    Unavailable(String),
    /// Unexpected failure. The message is logged, never sent to the client.
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// A validation problem with one invalid field.
    /// This error of the `index`th item of a batch (`label` names it): its fields become
    /// `items[index].field`, its detail starts with the item.
    pub fn for_item(self, index: usize, label: &str) -> Self {
        match self {
            Self::Validation { errors, .. } => Self::from_field_errors(
                errors
                    .into_iter()
                    .map(|e| FieldError::new(format!("items[{index}].{}", e.field), e.message))
                    .collect(),
            ),
            Self::Forbidden(detail) => {
                Self::Forbidden(format!("items[{index}] ({label}): {detail}"))
            }
            Self::Conflict(detail) => Self::Conflict(format!("items[{index}] ({label}): {detail}")),
            Self::NotFound(detail) => Self::NotFound(format!("items[{index}] ({label}): {detail}")),
            other => other,
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::from_field_errors(vec![FieldError::new(field, message)])
    }

    /// A validation problem listing every invalid field.
    pub fn from_field_errors(errors: Vec<FieldError>) -> Self {
        let detail = match errors.len() {
            1 => format!("{}: {}", errors[0].field, errors[0].message),
            n => format!("The request has {n} invalid fields."),
        };
        Self::Validation { detail, errors }
    }

    /// An unexpected failure: logs the full chain and hides it from the client.
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        log::error!("{context}: {err}");
        Self::Internal(format!("{context}: {err}"))
    }

    fn problem_type(&self) -> &'static str {
        match self {
            Self::Validation { .. } => "urn:voortgang:problem:validation",
            Self::Conflict(_) => "urn:voortgang:problem:conflict",
            Self::PreconditionFailed => "urn:voortgang:problem:precondition-failed",
            Self::Unavailable(_) => "urn:voortgang:problem:unavailable",
            Self::TooManyRequests { .. } => "urn:voortgang:problem:rate-limited",
            _ => "about:blank",
        }
    }

    fn title(&self) -> String {
        match self {
            Self::Validation { .. } => "Validation failed".into(),
            Self::Conflict(_) => "Conflict with the current state".into(),
            Self::Unavailable(_) => "Service temporarily unavailable".into(),
            _ => status_title(self.status_code()),
        }
    }

    fn detail(&self) -> String {
        match self {
            Self::Internal(_) => "An unexpected error occurred; it has been logged.".into(),
            Self::MethodNotAllowed(allowed) => format!(
                "This resource supports {}.",
                allowed
                    .iter()
                    .map(Method::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            other => other.to_string(),
        }
    }
}

/// The reason phrase of a status, used as the title of plain problems.
pub fn status_title(status: StatusCode) -> String {
    status.canonical_reason().unwrap_or("Error").to_string()
}

/// Renders a problem document for `status`, for responses built outside [`ApiError`].
pub fn problem_response(status: StatusCode, detail: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(PROBLEM_JSON)
        .json(problem(status, detail))
}

/// `text`, cut off at `max` characters with an ellipsis: a message that echoes what a client
/// sent stays within what the contract states.
pub fn bounded(text: String, max: u64) -> String {
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    match text.char_indices().nth(max) {
        None => text,
        Some(_) => {
            let (cut, _) = text
                .char_indices()
                .nth(max.saturating_sub(1))
                .unwrap_or((0, ' '));
            format!("{}…", &text[..cut])
        }
    }
}

/// The `about:blank` problem of a status.
pub fn problem(status: StatusCode, detail: String) -> Problem {
    Problem {
        r#type: "about:blank",
        title: status_title(status),
        status: status.as_u16(),
        detail: bounded(detail, limits::MESSAGE_MAX),
        errors: None,
        request_id: None,
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let mut response = HttpResponse::build(status);
        response.content_type(PROBLEM_JSON);
        match self {
            Self::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECS.to_string()));
            }
            Self::TooManyRequests { retry_after, .. } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            Self::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, CHALLENGE));
            }
            Self::MethodNotAllowed(allowed) => {
                let allow = allowed.iter().map(Method::as_str).collect::<Vec<_>>();
                response.insert_header((header::ALLOW, allow.join(", ")));
            }
            _ => {}
        }
        let errors = match self {
            Self::Validation { errors, .. } => Some(
                errors
                    .iter()
                    .take(limits::ERRORS_MAX as usize)
                    .cloned()
                    .collect(),
            ),
            _ => None,
        };
        response.json(Problem {
            r#type: self.problem_type(),
            title: self.title(),
            status: status.as_u16(),
            detail: bounded(self.detail(), limits::MESSAGE_MAX),
            errors,
            request_id: None,
        })
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as Kind, Error};
        match err {
            Error::NotFound => Self::NotFound("The resource does not exist.".into()),
            Error::DatabaseError(kind, info) => {
                let detail = info.message().to_string();
                match kind {
                    // a write that raced another: the same problem the checks before it give,
                    // never the database's own text (it names tables and constraints)
                    Kind::UniqueViolation => {
                        log::info!("database: {detail}");
                        Self::Conflict(taken(info.constraint_name()).into())
                    }
                    Kind::ForeignKeyViolation => {
                        log::info!("database: {detail}");
                        Self::Conflict(
                            "A row this one links to was removed meanwhile, or a row that links \
                             here was added meanwhile; read again and retry."
                                .into(),
                        )
                    }
                    // raised by the triggers that protect adopted reports
                    Kind::CheckViolation
                        if matches!(
                            info.constraint_name(),
                            Some("report_year_adopted" | "report_year_transition")
                        ) =>
                    {
                        Self::Conflict(detail)
                    }
                    // segregation of duties, should a review race the checks before it
                    Kind::CheckViolation
                        if info
                            .constraint_name()
                            .is_some_and(|c| c.ends_with("_review_by_another")) =>
                    {
                        Self::Forbidden(
                            "Nobody reviews a row they submitted: another reviewer or admin must."
                                .into(),
                        )
                    }
                    Kind::CheckViolation | Kind::NotNullViolation => {
                        let field = info.column_name().unwrap_or("body");
                        Self::invalid(field, detail)
                    }
                    // SQLSTATE 57014, which diesel does not name: VOORTGANG_DB_STATEMENT_TIMEOUT_MS
                    _ if detail.starts_with("canceling statement due to statement timeout") => {
                        log::warn!("database: {detail}");
                        Self::Unavailable(
                            "The database took too long to answer; retry shortly.".into(),
                        )
                    }
                    // the server went away under the connection (closed, or unable to take the
                    // statement), or a transaction lost a race: nothing was done, retry
                    Kind::ClosedConnection
                    | Kind::UnableToSendCommand
                    | Kind::SerializationFailure => {
                        log::warn!("database: {detail}");
                        Self::Unavailable("The database connection was interrupted; retry.".into())
                    }
                    _ => Self::internal("database", detail),
                }
            }
            other => Self::internal("database", other),
        }
    }
}

/// What a unique constraint says, in the words of the checks that come before it.
fn taken(constraint: Option<&str>) -> &'static str {
    match constraint {
        Some("api_tokens_name_key") => "A token with this name already exists.",
        Some("actions_external_ref_key") => "An action with this external_ref already exists.",
        Some("domains_pkey") => "A domain with this id already exists.",
        Some("domains_name_key") => "A domain with this name already exists.",
        Some("departments_pkey") => "A department with this id already exists.",
        Some("departments_name_key") => "A department with this name already exists.",
        _ => "Another request wrote the same thing at the same time; read it again and retry.",
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut fields = Vec::new();
        collect_validation_errors("", &errors, &mut fields);
        fields.sort_by(|a, b| a.field.cmp(&b.field));
        Self::from_field_errors(fields)
    }
}

/// The message of a failed rule: its own, or one made from the rule and its limits (the
/// constants of `api::limits`), so a limit is written once.
fn message_of(error: &validator::ValidationError) -> String {
    if let Some(message) = &error.message {
        return message.to_string();
    }
    let number = |name: &str| error.params.get(name).and_then(serde_json::Value::as_i64);
    let list = error
        .params
        .get("value")
        .is_some_and(serde_json::Value::is_array);
    let unit = if list { "items" } else { "characters" };
    match (error.code.as_ref(), number("min"), number("max")) {
        ("length", Some(min), Some(max)) => format!("must be {min} to {max} {unit}"),
        ("length", None, Some(max)) => format!("must be at most {max} {unit}"),
        ("length", Some(min), None) => format!("must be at least {min} {unit}"),
        ("range", Some(min), Some(max)) => format!("must be from {min} to {max}"),
        ("range", Some(min), None) => format!("must be at least {min}"),
        ("range", None, Some(max)) => format!("must be at most {max}"),
        (code, _, _) => format!("is invalid ({code})"),
    }
}

fn collect_validation_errors(
    prefix: &str,
    errors: &validator::ValidationErrors,
    out: &mut Vec<FieldError>,
) {
    use validator::ValidationErrorsKind as Kind;
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            Kind::Field(list) => out.extend(
                list.iter()
                    .map(|e| FieldError::new(path.clone(), message_of(e))),
            ),
            Kind::Struct(inner) => collect_validation_errors(&path, inner, out),
            Kind::List(items) => {
                for (index, inner) in items {
                    collect_validation_errors(&format!("{path}[{index}]"), inner, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::body::MessageBody;

    use super::*;

    #[test]
    fn a_long_message_is_cut_with_an_ellipsis_at_its_bound() {
        assert_eq!(bounded("abc".into(), 3), "abc");
        assert_eq!(bounded("abcd".into(), 3), "ab…");
        assert_eq!(bounded("ééééé".into(), 4), "ééé…");
        assert_eq!(bounded("ab".into(), 0), "…");
    }

    fn body_of(err: &ApiError) -> (StatusCode, String, serde_json::Value) {
        let response = err.error_response();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let bytes = response.into_body().try_into_bytes().unwrap();
        (
            err.status_code(),
            content_type,
            serde_json::from_slice(&bytes).unwrap(),
        )
    }

    #[test]
    fn an_unexpected_failure_is_a_500_problem_without_internals() {
        let err = ApiError::internal("database", "relation \"secret_table\" does not exist");
        let (status, content_type, body) = body_of(&err);
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(content_type, PROBLEM_JSON);
        assert_eq!(body["status"], 500);
        assert!(!body.to_string().contains("secret_table"));
    }

    #[test]
    fn validation_problems_list_their_fields() {
        let err = ApiError::from_field_errors(vec![
            FieldError::new("id", "must be a slug"),
            FieldError::new("name", "must not be blank"),
        ]);
        let (status, _, body) = body_of(&err);
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][1]["field"], "name");
        assert_eq!(body["detail"], "The request has 2 invalid fields.");
    }
}
