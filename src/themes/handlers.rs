//! HTTP handlers of `/api/v1/themes`.

use super::dto::Theme;
use super::repo;

crate::api::handlers::item_handlers! {
    tag: "themes",
    key: String, ("code", "Code of the theme.", "CUL"),
    path: "/themes/{code}",
    row: Theme,
    noun: "theme",
    routes: routes,
    list: {
        /// List the Leidraad themes
        ///
        /// The eleven themes of Audit Vlaanderen's Leidraad organisatiebeheersing, 0 to 10. They are
        /// fixed by the Leidraad and cannot be changed through the API.
        list_themes at "/themes" => repo::list, repo::key,
        page: "A page of themes."
    },
    get: {
        /// Get one Leidraad theme
        ///
        /// The theme with the given code (case-insensitive).
        get_theme => repo::find
    },
}
