//! The final diagnostics of the demo cohorts: varied, plausible contents (French levels,
//! mobility, CléA) and the provider's recommendations written out from them.

use super::participants::Seq;
use crate::diagnostics::{Acquisition, Cefr, DiagnosticContent, Fle, Mobility, clea_summary};

/// The tenant's CléA threshold (the default: steering has not changed it in the demo).
const CLEA_THRESHOLD: i32 = 75;
/// The CléA domains as the provider writes them, in the order of `diagnostics::CLEA_DOMAINS`.
const CLEA_FR: [&str; 7] = [
    "communication en français",
    "calcul et raisonnement",
    "numérique",
    "règles et travail en équipe",
    "autonomie",
    "apprendre à apprendre",
    "gestes, postures, hygiène et sécurité",
];

/// A varied, plausible diagnostic: the French levels follow the need seen at entry.
pub(super) fn diagnostic(seq: &mut Seq, fle_need: bool) -> DiagnosticContent {
    use Cefr::*;
    let mut level = |low: &[Cefr], high: &[Cefr]| {
        let pick = if fle_need { low } else { high };
        pick[seq.next(pick.len() as u64) as usize]
    };
    let fle = Fle {
        listening: level(&[A1, A2, A2], &[B1, B2, C1]),
        speaking: level(&[A1_1, A1, A2], &[B1, B1, B2]),
        reading: level(&[PreA1, A1_1, A1], &[A2, B1, B2]),
        writing: level(&[PreA1, A1_1, A1_1], &[A2, B1, B1]),
        training_needed: fle_need,
    };
    let licence = seq.next(10) < 4;
    let autonomy = seq.next(10) < 7;
    let barriers = !autonomy && seq.next(2) == 0;
    let mobility = Mobility {
        driving_licence: licence,
        vehicle_access: licence && seq.next(10) < 6,
        public_transport_autonomy: autonomy,
        acceptable_commute_minutes: [20, 30, 30, 45, 45, 60][seq.next(6) as usize],
        psychological_barriers: barriers,
        platform_referral: !licence && (!autonomy || barriers),
    };
    let strength = seq.next(4);
    let clea: Vec<Acquisition> = (0..CLEA_FR.len())
        .map(|d| match seq.next(10) {
            r if r < 3 + 2 * strength && !(d == 0 && fle_need) => Acquisition::Acquired,
            r if r < 8 + strength => Acquisition::PartlyAcquired,
            _ => Acquisition::NotAcquired,
        })
        .collect();
    let summary = clea_summary(&clea, CLEA_THRESHOLD);
    let daq_orientation = !summary.meets_threshold && seq.next(2) == 0;
    let modules = summary
        .modules_to_train
        .iter()
        .filter_map(|d| CLEA_FR.get(*d as usize).copied())
        .collect::<Vec<_>>()
        .join(", ");
    let (l, s, r, w) = (fle.listening, fle.speaking, fle.reading, fle.writing);
    let mut text = vec![if fle_need {
        format!(
            "Français : formation FLE à visée professionnelle recommandée (compréhension orale \
             {}, expression orale {}, lecture {}, écriture {}).",
            cefr(l),
            cefr(s),
            cefr(r),
            cefr(w)
        )
    } else {
        "Français : à l'aise à l'oral comme à l'écrit, pas de besoin FLE.".to_owned()
    }];
    text.push(if mobility.platform_referral {
        "Mobilité : orientation vers la plateforme mobilité (transports, projet de permis).".into()
    } else {
        format!(
            "Mobilité : {}, trajets acceptés jusqu'à {} min.",
            if licence {
                "permis B"
            } else {
                "autonome en transports en commun"
            },
            mobility.acceptable_commute_minutes
        )
    });
    text.push(match (summary.meets_threshold, modules.is_empty()) {
        (true, true) => format!(
            "CléA : {} % des points, au-dessus du seuil : présentation à la certification.",
            summary.share_percent
        ),
        (true, false) => format!(
            "CléA : {} % des points, au-dessus du seuil : évaluation finale après consolidation \
             des modules {modules}.",
            summary.share_percent
        ),
        (false, _) => format!(
            "CléA : {} % des points, sous le seuil de {CLEA_THRESHOLD} % : parcours de formation \
             sur les modules {modules}.",
            summary.share_percent
        ),
    });
    if daq_orientation {
        text.push(
            "Orientation proposée vers le DAQ (dispositif amont de la qualification).".into(),
        );
    }
    DiagnosticContent {
        fle,
        mobility,
        clea,
        daq_orientation,
        recommendations: text.join(" "),
    }
}

fn cefr(level: Cefr) -> &'static str {
    match level {
        Cefr::PreA1 => "pré-A1",
        Cefr::A1_1 => "A1.1",
        Cefr::A1 => "A1",
        Cefr::A2 => "A2",
        Cefr::B1 => "B1",
        Cefr::B2 => "B2",
        Cefr::C1 => "C1",
        Cefr::C2 => "C2",
    }
}
