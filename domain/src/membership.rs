//! A participant's membership of a cohort: the vocabulary of its statuses, shared by the
//! cohorts area (which changes them) and the participants' read policy (a provider reads the
//! people of its cohorts). It depends on no area.

text_enum!(
    /// A participant's place in a cohort.
    MemberStatus {
        Prescribed = "prescribed",
        Enrolled = "enrolled",
        Declined = "declined",
        DroppedOut = "dropped_out",
    }
);
