use chrono::{DateTime, Utc};

use super::*;

fn state(type_: &str, at: &str) -> Seen {
    Seen {
        state: StateView {
            type_: type_.into(),
            name: None,
            message: None,
            timestamp: Some(at.parse::<DateTime<Utc>>().unwrap()),
        },
        run: None,
    }
}

/// A watched run, without a driver (no stream is opened).
fn watched(events: &RunEvents, id: Uuid) -> watch::Receiver<Option<Seen>> {
    let mut watched = events.lock();
    let entry = watched.runs.entry(id).or_insert_with(|| Entry {
        watchers: 1,
        news: watch::Sender::new(None),
    });
    entry.news.subscribe()
}

#[test]
fn a_late_read_never_rolls_a_run_back() {
    let events = RunEvents::default();
    let id = Uuid::new_v4();
    let news = watched(&events, id);
    events.learn(id, state("COMPLETED", "2026-12-06T12:00:02Z"));
    // A read sent before the run finished answers after the event.
    events.learn(id, state("RUNNING", "2026-12-06T12:00:01Z"));
    assert_eq!(news.borrow().as_ref().unwrap().state.type_, "COMPLETED");
    events.learn(id, state("SCHEDULED", "2026-12-06T12:00:03Z"));
    assert_eq!(news.borrow().as_ref().unwrap().state.type_, "SCHEDULED");
}

#[test]
fn events_of_runs_nobody_watches_are_dropped() {
    let events = RunEvents::default();
    let id = Uuid::new_v4();
    assert!(!events.watches(&id));
    events.learn(id, state("COMPLETED", "2026-12-06T12:00:02Z"));
    let _news = watched(&events, id);
    assert!(events.watches(&id));
    assert!(!events.idle());
}

#[tokio::test]
async fn the_last_watch_dropped_stops_the_driver() {
    // Port 9 answers nothing: the driver fails to connect and polls meanwhile, in vain.
    let client = prefect_api::Client::builder("http://127.0.0.1:9/api")
        .build()
        .unwrap();
    let prefect = Prefect::new(client, "none");
    let id = Uuid::new_v4();
    let first = prefect.watch_run(id);
    let second = prefect.watch_run(id);
    assert_eq!(prefect.run_events.lock().runs[&id].watchers, 2);
    drop(first);
    assert!(prefect.run_events.watches(&id));
    drop(second);
    assert!(prefect.run_events.idle());
    for _ in 0..200 {
        if !prefect.run_events.lock().driving {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the driver still runs with nothing watched");
}
