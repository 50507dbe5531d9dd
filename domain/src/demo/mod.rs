//! Demo data: the PLIE of the Dijon area (the seed call's territory) and a small second tenant,
//! `besancon`, so that isolation is visible from the first minute. Loaded through the same
//! services as any client, so every row is audited and checked:
//! - 180 synthetic participants over Dijon's 14 referents and 20 in Besançon, each first name
//!   going with the recorded gender, with paths (a step is closed once it has ended, so an
//!   exited participant has none open), episodes, exits, and ESF+ records: the entry data, the
//!   situation at exit and six months later (see `esf`);
//! - the seed call of 2017 (three submissions, one accepted, its convention and an amendment)
//!   replayed at its real dates, a call decided a few months ago whose convention is in force
//!   today, replayed the same way, and a call open now;
//! - the seed convention's first two cohorts (March–April 2018), replayed the same way: 20 of
//!   Dijon's 180 participants prescribed and enrolled, attendance at every session, one
//!   drop-out, final diagnostics, follow-up sheets transmitted and partly read, the action's
//!   ESF+ records collected by the provider;
//! - today's work: a cohort of the convention in force running this week (from its Monday, a
//!   session every weekday morning), 10 more participants enrolled, attendance recorded for the
//!   sessions before today, none from today on, so that the demo provider (whose token the CLI
//!   prints) records today's with `recordAttendance`. "Today" is the Paris date of the
//!   database's clock when the demo loads.
//!
//! The first provider is the demo provider: its submissions are the accepted ones, so both
//! conventions, and every cohort, are its own.

mod calls;
mod cohort_diagnostics;
mod cohort_exits;
mod cohorts;
mod esf;
mod names;
mod participants;
mod this_week;

pub use names::first_names;

use uuid::Uuid;

use crate::auth::{self, Claims};
use crate::db::{Db, Mode, Tx};
use crate::error::Result;
use crate::principal::{Principal, Role};
use crate::staff::{self, NewStaff};
use crate::structures::{self, NewStructure, StructureKind};
use crate::tenants::{self, FirstSteering, NewCommune, NewTenant};

/// A demo account for which the CLI prints a token.
#[derive(Clone, Debug)]
pub struct DemoAccount {
    pub label: String,
    pub tenant: Option<String>,
    pub role: Role,
    pub subject: String,
    pub structure: Option<Uuid>,
}

/// The platform operator of the demo.
pub const DEMO_ADMIN_SUBJECT: &str = "operator@parcours.example";

/// Whether the database holds no tenant yet.
pub async fn is_empty(db: &Db) -> Result<bool> {
    act(db, async |tx| crate::tenants::none_yet(tx).await).await
}

/// Run one step of the demo in a transaction of its own, as a request of a client would.
async fn act<T>(db: &Db, step: impl AsyncFnOnce(&Tx) -> Result<T>) -> Result<T> {
    #[expect(
        clippy::disallowed_methods,
        reason = "the demo is an entry point of its own"
    )]
    db.run(Mode::write(), step).await
}

/// The 24 communes of Dijon Métropole (GLOSSARY.md). INSEE codes are given only where known
/// for certain; the relay points' priority neighbourhoods are those of the seed call.
const DIJON_COMMUNES: &[(&str, Option<&str>, &[&str])] = &[
    ("Ahuy", None, &[]),
    ("Bressey-sur-Tille", None, &[]),
    ("Bretenière", None, &[]),
    ("Chenôve", Some("21166"), &["Le Mail"]),
    ("Chevigny-Saint-Sauveur", None, &[]),
    ("Corcelles-les-Monts", None, &[]),
    ("Crimolois", None, &[]),
    ("Daix", None, &[]),
    ("Dijon", Some("21231"), &["Grésilles", "Fontaine d'Ouche"]),
    ("Fénay", None, &[]),
    ("Flavignerot", None, &[]),
    ("Fontaine-lès-Dijon", None, &[]),
    ("Hauteville-lès-Dijon", None, &[]),
    ("Longvic", None, &[]),
    ("Magny-sur-Tille", None, &[]),
    ("Marsannay-la-Côte", None, &[]),
    ("Neuilly-lès-Dijon", None, &[]),
    ("Ouges", None, &[]),
    ("Perrigny-lès-Dijon", None, &[]),
    ("Plombières-lès-Dijon", None, &[]),
    ("Quetigny", None, &[]),
    ("Saint-Apollinaire", None, &[]),
    ("Sennecey-lès-Dijon", None, &[]),
    ("Talant", None, &[]),
];

const DIJON_CARRIERS: &[(&str, usize)] = &[
    ("Association Emploi Solidaire de Dijon", 6),
    ("CCAS de Chenôve – accompagnement emploi", 5),
    ("Relais Insertion Quetigny", 3),
];

const DIJON_PROVIDERS: &[&str] = &[
    "Remobilis Formation",
    "Atelier Compétences 21",
    "Insertion Bourgogne Conseil",
];

const REFERENT_NAMES: &[&str] = &[
    "Claire Martin",
    "Julien Bernard",
    "Sophie Petit",
    "Karim Benali",
    "Nadia Roux",
    "Thomas Fournier",
    "Emma Girard",
    "Lucas Morel",
    "Inès Haddad",
    "Hugo Lambert",
    "Léa Fontaine",
    "Yanis Chevalier",
    "Camille Robin",
    "Mathieu Garnier",
];

/// Load the demo tenants. The database should be empty (see [`is_empty`]).
pub async fn load(db: &Db) -> Result<Vec<DemoAccount>> {
    let admin = Principal {
        subject: DEMO_ADMIN_SUBJECT.to_owned(),
        role: Role::Admin,
        tenant: None,
        structure: None,
        staff: None,
        request_id: Some("demo".to_owned()),
    };
    let mut accounts = vec![DemoAccount {
        label: "platform operator".into(),
        tenant: None,
        role: Role::Admin,
        subject: DEMO_ADMIN_SUBJECT.into(),
        structure: None,
    }];

    let communes = DIJON_COMMUNES
        .iter()
        .map(|(name, code, qpv)| NewCommune {
            insee_code: code.map(str::to_owned),
            name: (*name).to_owned(),
            priority_neighbourhoods: qpv.iter().map(|q| (*q).to_owned()).collect(),
        })
        .collect();
    let steering = tenant(
        db,
        &admin,
        "dijon",
        "PLIE de l'agglomération dijonnaise",
        communes,
        "PLIE de l'agglomération dijonnaise – structure d'animation",
        "pilotage@plie-dijon.example",
    )
    .await?;
    accounts.push(account("dijon steering", "dijon", &steering));

    let mut names = REFERENT_NAMES.iter();
    let mut dijon_referents = Vec::new();
    for (i, (carrier, count)) in DIJON_CARRIERS.iter().enumerate() {
        let structure = structure(db, &steering, carrier, StructureKind::ReferentCarrier).await?;
        for j in 0..*count {
            let name = names.next().copied().unwrap_or("Référent");
            let subject = format!("referent{}.{}@plie-dijon.example", i + 1, j + 1);
            let member = invite(db, &steering, &subject, name, Role::Referent, structure).await?;
            dijon_referents.push((subject.clone(), structure));
            if i == 0 && j == 0 {
                accounts.push(account("dijon referent", "dijon", &member));
            }
        }
    }
    let mut dijon_providers = Vec::new();
    for (i, provider) in DIJON_PROVIDERS.iter().enumerate() {
        let structure = structure(db, &steering, provider, StructureKind::Provider).await?;
        let subject = format!("provider{}@plie-dijon.example", i + 1);
        let member = invite(
            db,
            &steering,
            &subject,
            "Coordination action",
            Role::Provider,
            structure,
        )
        .await?;
        if i == 0 {
            accounts.push(account("dijon provider", "dijon", &member));
        }
        dijon_providers.push(member.with_request_id("demo"));
    }

    let communes = tenant_communes(db, &steering).await?;
    // 150 here, 20 who went through the cohorts of 2018 and 10 in this week's: 180 in Dijon.
    participants::load(db, "dijon", &steering, &dijon_referents, &communes, 150, 21).await?;
    let conventions = calls::load(db, &steering, &dijon_providers).await?;
    // The accepted submissions, hence the conventions, are the first provider's.
    if let Some(provider) = dijon_providers.first() {
        let who = cohorts::Actors {
            tenant: "dijon",
            steering: &steering,
            provider,
            referents: &dijon_referents,
            communes: &communes,
        };
        if let Some(seed) = conventions.seed {
            cohorts::load(db, &who, seed).await?;
        }
        if let Some(current) = conventions.current {
            this_week::load(db, &who, current).await?;
        }
    }

    let besancon = tenant(
        db,
        &admin,
        "besancon",
        "PLIE du Grand Besançon",
        vec![
            NewCommune {
                insee_code: Some("25056".into()),
                name: "Besançon".into(),
                priority_neighbourhoods: vec!["Planoise".into()],
            },
            NewCommune {
                insee_code: None,
                name: "École-Valentin".into(),
                priority_neighbourhoods: vec![],
            },
        ],
        "PLIE du Grand Besançon – structure d'animation",
        "pilotage@plie-besancon.example",
    )
    .await?;
    accounts.push(account("besancon steering", "besancon", &besancon));
    let carrier = structure(
        db,
        &besancon,
        "Association Tremplin Besançon",
        StructureKind::ReferentCarrier,
    )
    .await?;
    let mut besancon_referents = Vec::new();
    for (j, name) in ["Paul Vernier", "Aïcha Mansouri"].iter().enumerate() {
        let subject = format!("referent{}@plie-besancon.example", j + 1);
        invite(db, &besancon, &subject, name, Role::Referent, carrier).await?;
        besancon_referents.push((subject, carrier));
    }
    let communes = tenant_communes(db, &besancon).await?;
    participants::load(
        db,
        "besancon",
        &besancon,
        &besancon_referents,
        &communes,
        20,
        25,
    )
    .await?;
    let provider = structure(
        db,
        &besancon,
        "Doubs Remobilisation",
        StructureKind::Provider,
    )
    .await?;
    invite(
        db,
        &besancon,
        "provider1@plie-besancon.example",
        "Coordination action",
        Role::Provider,
        provider,
    )
    .await?;
    Ok(accounts)
}

async fn tenant(
    db: &Db,
    admin: &Principal,
    slug: &str,
    name: &str,
    communes: Vec<NewCommune>,
    steering_body: &str,
    steering_subject: &str,
) -> Result<Principal> {
    act(db, async |tx| {
        tenants::create(
            tx,
            admin,
            NewTenant {
                slug: slug.into(),
                name: name.into(),
                communes,
                steering_body_name: steering_body.into(),
                first_steering: FirstSteering {
                    subject: steering_subject.into(),
                    display_name: "Direction du PLIE".into(),
                    email: steering_subject.into(),
                },
            },
        )
        .await
    })
    .await?;
    let principal = act(db, async |tx| {
        auth::authenticate(
            tx,
            Claims {
                subject: steering_subject.into(),
                role: Role::Steering,
                tenant: Some(slug.into()),
                structure: None,
            },
        )
        .await
    })
    .await?;
    Ok(principal.with_request_id("demo"))
}

async fn structure(
    db: &Db,
    steering: &Principal,
    name: &str,
    kind: StructureKind,
) -> Result<crate::ids::StructureId> {
    let created = act(db, async |tx| {
        structures::create(
            tx,
            steering,
            NewStructure {
                name: name.into(),
                kind,
            },
        )
        .await
    })
    .await?;
    Ok(created.id)
}

async fn invite(
    db: &Db,
    steering: &Principal,
    subject: &str,
    name: &str,
    role: Role,
    structure_id: crate::ids::StructureId,
) -> Result<Principal> {
    act(db, async |tx| {
        staff::invite(
            tx,
            steering,
            NewStaff {
                subject: subject.into(),
                display_name: name.into(),
                email: subject.into(),
                role,
                structure_id,
            },
        )
        .await
    })
    .await?;
    Ok(Principal {
        subject: subject.into(),
        role,
        tenant: steering.tenant.clone(),
        structure: Some(structure_id),
        staff: None,
        request_id: None,
    })
}

async fn tenant_communes(db: &Db, steering: &Principal) -> Result<Vec<tenants::Commune>> {
    let tenant = steering.tenant_id()?;
    act(db, async |tx| tenants::communes(tx, steering, tenant).await).await
}

fn account(label: &str, tenant: &str, principal: &Principal) -> DemoAccount {
    DemoAccount {
        label: label.into(),
        tenant: Some(tenant.into()),
        role: principal.role,
        subject: principal.subject.clone(),
        structure: principal.structure.map(|s| s.0),
    }
}
