//! Wire types of departments.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::api::body::present;
use crate::api::timestamp::DateTime;
use crate::api::validate::{self, slug};

/// A department (dienst): owner of risks and actions, and the scope of an editor's rights.
#[derive(Debug, Serialize, ToSchema)]
pub struct Department {
    /// Stable slug of the department.
    #[schema(example = "financien")]
    pub id: String,
    /// Name of the department.
    #[schema(example = "Financiën")]
    pub name: String,
    /// When the department was created.
    pub created_at: DateTime,
    /// When the department was last changed.
    pub updated_at: DateTime,
}

/// A new department.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDepartment {
    /// Slug: lowercase letters, digits and hyphens, at most 64 characters; cannot change later.
    #[validate(custom(function = "slug"))]
    #[schema(
        example = "financien",
        max_length = 64,
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$"
    )]
    pub id: String,
    /// Name of the department, 1 to 200 characters.
    #[validate(custom(function = "validate::name"))]
    #[schema(example = "Financiën", min_length = 1)]
    pub name: String,
}

/// Changes to a department, as a JSON Merge Patch. The id cannot change.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentPatch {
    /// New name, 1 to 200 characters.
    #[serde(default, deserialize_with = "present")]
    #[validate(custom(function = "validate::name"))]
    #[schema(example = "Financiën", nullable = false, min_length = 1)]
    pub name: Option<String>,
}
