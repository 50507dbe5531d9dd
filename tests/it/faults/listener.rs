//! Live notifications after the database restarted.

use super::*;
use parcours_tests::World;

use crate::cohorts::convention;
use crate::notifications::{SUBSCRIBE, listening};

/// The notification listener notices the lost connection and listens again on the restarted
/// server; a subscriber that stayed connected to the service is told it may have missed events,
/// and once subscribed again hears the next one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_resume_after_a_database_restart() {
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let app = TestApp::start_with(
        Backend::Postgres {
            owner_url: cluster.owner_url(),
        },
        no_rate_limit,
    )
    .await;
    let w = World::build(&app, "relance").await;
    let mut steering = parcours_tests::ws::connect(&app.base, &w.tenant.steering)
        .await
        .expect("accepted");
    steering.subscribe("n", SUBSCRIBE).await;
    listening(&app, 1).await;

    cluster.restart(Stop::Fast).await;
    // Wait (bounded) until the listener has run LISTEN on the new server.
    let superuser = sea_orm::Database::connect(cluster.superuser_url().as_str())
        .await
        .expect("superuser connection");
    let mut listening_again = false;
    for _ in 0..1200 {
        let row = superuser
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT count(*) FROM pg_stat_activity WHERE query ILIKE 'LISTEN%parcours_notifications%'",
            ))
            .await
            .expect("pg_stat_activity")
            .expect("a row");
        if row.try_get_by_index::<i64>(0).expect("count") >= 1 {
            listening_again = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(listening_again, "the listener never listened again");

    // The subscriber is told it may have missed events (its stream ends), catches up with the
    // inbox, subscribes again and hears the next one.
    let missed = steering.next().await.expect("open");
    assert_eq!(
        missed["payload"]["errors"][0]["extensions"]["code"], "NOTIFICATIONS_MISSED",
        "{missed}"
    );
    let done = steering.next().await.expect("open");
    assert_eq!(done["type"], "complete", "{done}");
    steering.subscribe("again", SUBSCRIBE).await;
    listening(&app, 1).await;
    convention(&app, &w).await;
    let heard = steering.payload("again").await;
    assert_eq!(
        heard["data"]["notificationAdded"]["kind"], "SUBMISSION_RECEIVED",
        "{heard}"
    );
}
