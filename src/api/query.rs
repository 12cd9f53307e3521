//! Query-string extractor: unknown parameters and bad values are 400 problems naming the
//! parameter.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Query parameters, deserialised strictly (use `deny_unknown_fields` on `T`).
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(Query))
    }
}

pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let pairs = url::form_urlencoded::parse(query.as_bytes());
    serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs)).map_err(|err| {
        let path = err.path().to_string();
        let message = err.into_inner().to_string();
        if let Some(rest) = message.strip_prefix("unknown field `") {
            let name = rest.split('`').next().unwrap_or_default();
            return ApiError::BadRequest(format!("unknown query parameter `{name}`"));
        }
        if path == "." {
            ApiError::BadRequest(format!("invalid query: {message}"))
        } else {
            ApiError::BadRequest(format!("query parameter `{path}`: {message}"))
        }
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Params {
        year: Option<i32>,
        q: Option<String>,
    }

    fn detail(err: ApiError) -> String {
        err.to_string()
    }

    #[test]
    fn parameters_are_named_in_errors() {
        let ok: Params = parse("year=2022&q=werkdruk").unwrap();
        assert_eq!(ok.year, Some(2022));
        assert!(detail(parse::<Params>("colour=red").unwrap_err()).contains("`colour`"));
        assert!(detail(parse::<Params>("year=twee").unwrap_err()).contains("`year`"));
    }
}
