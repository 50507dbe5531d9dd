//! The per-request recorder of sensitive reads, and the `note` resolvers call when they answer
//! a sensitive value.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use async_graphql::Context;
use parcours_domain::access_log::{Read, SensitiveField};
use parcours_domain::ids::ParticipantId;

/// The sensitive reads of one request, deduplicated.
#[derive(Clone, Default)]
pub struct AccessRecorder(Arc<Mutex<BTreeSet<Read>>>);

impl AccessRecorder {
    /// Note that `field` of `participant` is being answered.
    pub fn push(&self, participant: ParticipantId, field: SensitiveField) {
        // A poisoned lock only means another resolver panicked; the set itself is still whole.
        let mut reads = self.0.lock().unwrap_or_else(|e| e.into_inner());
        reads.insert(Read { participant, field });
    }

    /// The reads noted so far, emptying the recorder.
    pub fn take(&self) -> Vec<Read> {
        let mut reads = self.0.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *reads).into_iter().collect()
    }
}

/// Note a sensitive read in the request's recorder.
pub(crate) fn note(ctx: &Context<'_>, participant: ParticipantId, field: SensitiveField) {
    ctx.data_unchecked::<AccessRecorder>()
        .push(participant, field);
}
