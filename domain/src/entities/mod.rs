//! sea-orm entities: private to the domain. Only the areas' `store.rs` files build queries.

pub(crate) mod access_entry;
pub(crate) mod amendment;
pub(crate) mod attachment;
pub(crate) mod attendance;
pub(crate) mod audit_entry;
pub(crate) mod call_for_projects;
pub(crate) mod cohort;
pub(crate) mod cohort_member;
pub(crate) mod cohort_session;
pub(crate) mod commune;
pub(crate) mod convention;
pub(crate) mod diagnostic;
pub(crate) mod episode;
pub(crate) mod esf_record;
pub(crate) mod follow_up_sheet;
pub(crate) mod idempotency_key;
pub(crate) mod notification;
pub(crate) mod participant;
pub(crate) mod participant_exit;
pub(crate) mod path_step;
pub(crate) mod report;
pub(crate) mod report_attachment;
pub(crate) mod staff_member;
pub(crate) mod structure;
pub(crate) mod submission;
pub(crate) mod tenant;
