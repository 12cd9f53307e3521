//! HTTP handlers of `/api/v1/risks/{risk_id}/assessments`.

use super::dto::{Assessment, AssessmentInput};
use super::repo;

crate::years::handlers::yearly_handlers! {
    tag: "risks",
    parent: ("risk_id", "Identifier of the risk."),
    row: Assessment, input: AssessmentInput,
    noun: ("assessment", "assessments"),
    paths: (
        "/risks/{risk_id}/assessments",
        "/risks/{risk_id}/assessments/{year}",
        "/risks/{risk_id}/assessments/{year}/review"
    ),
    location: "/api/v1/risks/{}/assessments/{}",
    example_year: 2022,
    routes: routes,
    /// List a risk's assessments
    ///
    /// Every year's assessment of the risk, oldest first.
    list: list_risk_assessments => repo::list,
    /// Get a risk's assessment of a year
    ///
    /// The assessment with its derived score and level.
    get: get_risk_assessment => repo::find,
    /// Set a risk's assessment of a year
    ///
    /// Creates (201) or replaces (200) the assessment of the year. Score and level are derived
    /// from likelihood and impact. With `If-Match`, a replacement is refused (412) when the
    /// assessment changed meanwhile.
    put: put_risk_assessment => repo::put,
    /// Delete a risk's assessment of a year
    ///
    /// Removes the assessment of the year; the risk and its other years stay.
    delete: delete_risk_assessment => repo::delete,
    /// Review a risk's assessment of a year
    ///
    /// Approves the submitted assessment, or returns it to its department with a note (it then
    /// appears on the department's worklist as `returned` until it is written again, which
    /// submits it anew). Nobody reviews a row they submitted themselves (403, for admins too;
    /// the database refuses it as well). Only a submitted row is reviewed (409). With
    /// `If-Match`, the review is refused (412) when the row changed meanwhile. Every review is
    /// an audit event. Reviewer or admin.
    review: review_risk_assessment => repo::review,
}
