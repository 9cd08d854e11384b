//! Cancels and reschedules of one appointment sent at the same moment: each seat a slot counts
//! is held by exactly one appointment afterwards, whatever order the requests ran in.

use futures_util::future::join_all;
use serde_json::Value;

use crate::support::{nth_couple, reference_and_token, seats_and_holders, spawn_app, TestApp};

const OFFICE: &str = "sz-gusu";

async fn three_slots(app: &TestApp) -> [String; 3] {
    let slots = app.slots(OFFICE).await;
    let id = |i: usize| slots[i]["id"].as_str().unwrap().to_owned();
    [id(0), id(1), id(2)]
}

/// Fails unless every slot's seat count equals the appointments holding a seat there.
fn seats_agree(app: &TestApp, slots: &[String], round: u32) {
    for s in slots {
        let (seats, holders) = seats_and_holders(app, s);
        assert_eq!(
            seats, holders,
            "round {round}: slot {s} counts {seats} seats for {holders} appointments"
        );
    }
}

#[tokio::test]
async fn cancels_and_reschedules_at_once_never_free_or_take_a_seat_twice() {
    let app = spawn_app().await;
    let slots = three_slots(&app).await;
    // A neighbour in the first slot: a seat freed twice would free theirs.
    app.booked(OFFICE, &slots[0], nth_couple(7_000)).await;
    for round in 0..4u32 {
        let v: Value = app
            .booked(OFFICE, &slots[0], nth_couple(7_001 + round))
            .await;
        let (reference, token) = reference_and_token(&v);
        let mut racers = Vec::new();
        for i in 0..8 {
            let (app, reference, token) = (&app, reference.to_owned(), token.to_owned());
            let target = slots[1 + i % 2].clone();
            racers.push(async move {
                match (round, i % 4) {
                    (0, _) => app.cancel(&reference, &token).await.status().as_u16(),
                    (1, _) => app
                        .reschedule(&reference, &token, &target)
                        .await
                        .status()
                        .as_u16(),
                    (_, 0) | (_, 1) => app.cancel(&reference, &token).await.status().as_u16(),
                    _ => app
                        .reschedule(&reference, &token, &target)
                        .await
                        .status()
                        .as_u16(),
                }
            });
        }
        let statuses = join_all(racers).await;
        assert!(
            statuses.iter().all(|s| *s < 500),
            "round {round}: {statuses:?}"
        );
        seats_agree(&app, &slots, round);
    }
}
