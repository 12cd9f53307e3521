//! The bounds the contract states for each query and header parameter (the longest value; for
//! whole numbers in the query, the least and the most), enforced before any handler runs: a
//! value beyond them is a 400 problem naming the parameter. The published contract is the one
//! source, so what it states is what the service takes.

use std::collections::HashMap;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;
use serde_json::Value;

use super::RouteTable;
use crate::error::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Query,
    Header,
}

#[derive(Debug, Clone)]
struct Bound {
    name: String,
    place: Place,
    /// The longest value, in characters.
    max: Option<usize>,
    /// The least and the most a whole number may be.
    range: Option<(i64, i64)>,
}

/// The bounded parameters of each operation (path template and method).
#[derive(Debug, Default)]
pub struct InputBounds(HashMap<(String, Method), Vec<Bound>>);

impl InputBounds {
    /// Reads the `maxLength` of every query and header parameter of the published contract.
    pub fn from_contract(doc: &Value) -> Self {
        let mut bounds = HashMap::new();
        for (template, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, operation) in item.as_object().into_iter().flatten() {
                let Ok(method) = Method::from_bytes(method.to_uppercase().as_bytes()) else {
                    continue;
                };
                let found: Vec<Bound> = operation["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|parameter| {
                        let place = match parameter["in"].as_str()? {
                            "query" => Place::Query,
                            "header" => Place::Header,
                            _ => return None,
                        };
                        let schema = &parameter["schema"];
                        let max = schema["maxLength"]
                            .as_u64()
                            .and_then(|max| usize::try_from(max).ok());
                        let range = (schema["type"] == "integer")
                            .then(|| {
                                Some((schema["minimum"].as_i64()?, schema["maximum"].as_i64()?))
                            })
                            .flatten();
                        (max.is_some() || range.is_some()).then(|| Bound {
                            name: parameter["name"].as_str().unwrap_or_default().to_string(),
                            place,
                            max,
                            range,
                        })
                    })
                    .collect();
                bounds.insert((template.clone(), method), found);
            }
        }
        Self(bounds)
    }

    /// The 400 problem for the first parameter of the request longer than its bound.
    fn check(&self, template: &str, req: &ServiceRequest) -> Result<(), ApiError> {
        let Some(bounds) = self.0.get(&(template.to_string(), req.method().clone())) else {
            return Ok(());
        };
        let query: Vec<(String, String)> = web::Query::from_query(req.query_string())
            .map(web::Query::into_inner)
            .unwrap_or_default();
        for bound in bounds {
            let place = match bound.place {
                Place::Query => "query parameter",
                Place::Header => "header",
            };
            let values: Vec<String> = match bound.place {
                Place::Query => query
                    .iter()
                    .filter(|(name, _)| *name == bound.name)
                    .map(|(_, value)| value.clone())
                    .collect(),
                Place::Header => req
                    .headers()
                    .get_all(bound.name.as_str())
                    .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
                    .collect(),
            };
            for value in values {
                if let Some(max) = bound.max.filter(|max| value.chars().count() > *max) {
                    return Err(ApiError::BadRequest(format!(
                        "The {place} `{}` is longer than {max} characters.",
                        bound.name
                    )));
                }
                // a whole number out of range; what is not one at all the handler explains
                if let (Some((least, most)), Ok(number)) = (bound.range, value.parse::<i64>()) {
                    if !(least..=most).contains(&number) {
                        return Err(ApiError::BadRequest(format!(
                            "The {place} `{}` must be from {least} to {most}.",
                            bound.name
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Refuses a request with a parameter longer than the contract allows.
pub async fn enforce(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let template = req
        .app_data::<web::Data<RouteTable>>()
        .and_then(|routes| routes.template(req.path(), req.method()))
        .map(str::to_string);
    let checked = match (template, req.app_data::<web::Data<InputBounds>>()) {
        (Some(template), Some(bounds)) => bounds.check(&template, &req),
        _ => Ok(()),
    };
    if let Err(err) = checked {
        let response = actix_web::ResponseError::error_response(&err);
        return Ok(req.into_response(response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}
