//! Every limit on input, in one place. The validator attributes use these constants and the
//! problem messages are made from them; the contract states them (utoipa takes only literals
//! there, so `tests/api/contract.rs` compares each `maxLength`, `maxItems`, `minimum` and
//! `maximum` with these), and the migrations' CHECK constraints cite them by name in a
//! comment (`-- limits::TITLE_MAX`), which a test checks too.

use std::ops::RangeInclusive;

/// A slug (domain, department, theme ids).
pub const SLUG_MAX: u64 = 64;
/// A domain's or department's name.
pub const NAME_MAX: u64 = 200;
/// A domain's description.
pub const DOMAIN_DESCRIPTION_MAX: u64 = 10_000;
/// A criterion's text.
pub const CRITERION_MAX: u64 = 1_000;
/// The title of a risk, an action or a report, and whom a report is presented to.
pub const TITLE_MAX: u64 = 300;
/// The description of a risk or an action.
pub const DESCRIPTION_MAX: u64 = 20_000;
/// The note of a yearly status or assessment.
pub const NOTE_MAX: u64 = 5_000;
/// An action's `external_ref` and `plan_ref`.
pub const REF_MAX: u64 = 100;
/// A token's name.
pub const TOKEN_NAME_MAX: u64 = 100;
/// A URL (the council decision).
pub const URL_MAX: u64 = 2_000;
/// A report's introduction.
pub const INTRODUCTION_MAX: u64 = 50_000;
/// The domains one action serves.
pub const DOMAINS_PER_ACTION: u64 = 20;
/// The risks one action addresses.
pub const RISKS_PER_ACTION: u64 = 100;
/// The actions that follow from one audit.
pub const ACTIONS_PER_AUDIT: u64 = 100;
/// The Leidraad themes (0-10) one risk or action carries.
pub const THEMES_MAX: u64 = 11;
/// Links to the evidence of one theme's score in a self-evaluation.
pub const EVIDENCE_LINKS_MAX: u64 = 20;
/// The highest level a maturity scale can have.
pub const MATURITY_LEVEL_MAX: i32 = 9;
/// The departments one token may change.
pub const DEPARTMENTS_PER_TOKEN: u64 = 100;
/// The first and the last year a report, status or assessment may be about.
pub const YEAR_MIN: i32 = 2000;
pub const YEAR_MAX: i32 = 2100;
/// The years, as a range.
pub const YEARS: RangeInclusive<i32> = YEAR_MIN..=YEAR_MAX;
/// As many yearly rows as there are years.
pub const YEARS_COUNT: u64 = (YEAR_MAX - YEAR_MIN + 1) as u64;
/// Progress is a percentage.
pub const PROGRESS_MAX: i32 = 100;
/// Likelihood and impact are scored 1 to 5.
pub const SCORE_MAX: i32 = 5;
/// The items of one batch.
pub const BATCH_MAX: u64 = 1_000;
/// Items per page: the default and the most.
pub const PAGE_DEFAULT: i64 = 50;
pub const PAGE_MAX: i64 = 1_000;
/// A search `q`: its length and its words. Longer searches cost the database seconds and
/// find nothing a short one would not.
pub const Q_MAX: u64 = 200;
pub const Q_WORDS_MAX: usize = 20;
/// Rows per page of a JSON export: the default and the most.
pub const EXPORT_PAGE_DEFAULT: i64 = 1_000;
pub const EXPORT_PAGE_MAX: i64 = 5_000;
/// A list cursor: the service's own cursors stay well below it (a key of a title, base64), a
/// longer one is refused as invalid.
pub const CURSOR_MAX: u64 = 2_048;
/// A request id, incoming (`X-Request-Id`) or made.
pub const REQUEST_ID_MAX: u64 = 64;
/// An `Idempotency-Key`.
pub const IDEMPOTENCY_KEY_MAX: u64 = 255;
/// An audit event's `entity_id`: an id, a slug, or either with `/<year>` or `/<id>`.
pub const ENTITY_ID_MAX: u64 = SLUG_MAX + 16;
/// A problem's `detail` and a field error's `message`: longer text (e.g. an echoed value) is
/// cut off with an ellipsis.
pub const MESSAGE_MAX: u64 = 2_000;
/// A field error's `field` and a changed field's name.
pub const FIELD_MAX: u64 = 200;
/// A link the service makes from a request's own path and query (`next`): actix-web refuses
/// request heads over 32 KiB, so such a link is shorter than this.
pub const LINK_MAX: u64 = 65_536;
/// The field errors one validation problem lists; more are counted in its `detail`.
pub const ERRORS_MAX: u64 = 100;
/// A token secret: `vgt_` and 43 characters (256 bits, base64url).
pub const SECRET_MAX: u64 = 64;
/// Event types one webhook subscribes to, at most.
pub const EVENT_TYPES_MAX: u64 = 50;
/// A webhook message's id (`webhook-id`), at most.
pub const MESSAGE_ID_MAX: u64 = 100;
/// A quoted entity tag (`"` + 32 hex digits + `"`), or a list of them in `If-Match`.
pub const ETAG_MAX: u64 = 1_000;
/// A workbook sent back (a filled-in worklist), in bytes.
pub const WORKBOOK_BYTES_MAX: usize = 5 * 1024 * 1024;
/// What a workbook's parts may unpack to together, in bytes: a filled-in worklist of the
/// largest department is a few MiB, a zip bomb is refused.
pub const WORKBOOK_UNPACKED_MAX: u64 = 64 * 1024 * 1024;
/// The parts (files) of a workbook.
pub const WORKBOOK_PARTS_MAX: usize = 200;
/// The rows a worklist sheet may have: more than any department's worklist.
pub const WORKLIST_ROWS_MAX: usize = 10_000;
