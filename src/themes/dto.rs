//! Wire types of themes.

use serde::Serialize;
use utoipa::ToSchema;

/// A theme of the Leidraad organisatiebeheersing voor lokale besturen (Audit Vlaanderen):
/// a second axis to tag risks and actions with.
#[derive(Debug, Serialize, ToSchema)]
pub struct Theme {
    /// Number of the theme in the Leidraad, 0 (the approach) to 10.
    #[schema(example = 7, minimum = 0, maximum = 10)]
    pub number: i32,
    /// Short code of the theme.
    #[schema(example = "CUL")]
    pub code: String,
    /// Name of the theme.
    #[schema(example = "Organisatiecultuur")]
    pub name: String,
}
