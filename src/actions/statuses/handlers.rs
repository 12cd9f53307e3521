//! HTTP handlers of `/api/v1/actions/{action_id}/statuses`.

use super::dto::{ActionStatus, StatusInput};
use super::repo;

crate::years::handlers::yearly_handlers! {
    tag: "actions",
    parent: ("action_id", "Identifier of the action."),
    row: ActionStatus, input: StatusInput,
    noun: ("status", "statuses"),
    paths: (
        "/actions/{action_id}/statuses",
        "/actions/{action_id}/statuses/{year}",
        "/actions/{action_id}/statuses/{year}/review"
    ),
    location: "/api/v1/actions/{}/statuses/{}",
    example_year: 2022,
    routes: routes,
    /// List an action's statuses
    ///
    /// Every year's status of the action, oldest first.
    list: list_action_statuses => repo::list,
    /// Get an action's status of a year
    ///
    /// What the report of that year says of the action.
    get: get_action_status => repo::find,
    /// Set an action's status of a year
    ///
    /// Creates (201) or replaces (200) the status of the year. Running the same PUT again changes
    /// nothing, so department scripts can re-run safely. With `If-Match`, a replacement is refused
    /// (412) when the status changed meanwhile.
    put: put_action_status => repo::put,
    /// Delete an action's status of a year
    ///
    /// Removes the status of the year; the action and its other years stay.
    delete: delete_action_status => repo::delete,
    /// Review an action's status of a year
    ///
    /// Approves the submitted status, or returns it to its department with a note (it then
    /// appears on the department's worklist as `returned` until it is written again, which
    /// submits it anew). Nobody reviews a row they submitted themselves (403, for admins too;
    /// the database refuses it as well). Only a submitted row is reviewed (409). With
    /// `If-Match`, the review is refused (412) when the row changed meanwhile. Every review is
    /// an audit event. Reviewer or admin.
    review: review_action_status => repo::review,
}
