//! Old events leave the front of each stream, never its newest, and the stream says how far.

use super::{new_corp, uid};
use crate::events::StreamBounds;
use crate::{NewEvent, Recipients, Stores};

pub(super) async fn event_pruning(stores: &Stores) {
    let corp = new_corp(stores, 1_000).await;
    let other = new_corp(stores, 1_000).await;
    let admin = uid("admin");
    let write = |corp, now| {
        let e = NewEvent::new(Recipients::Users(vec![uid("admin")]), "test.event", &now);
        async move {
            stores
                .accounts
                .save_policy(&corp, "{}".into(), now, e)
                .await
                .unwrap();
        }
    };
    for now in [10, 11, 12] {
        write(corp.clone(), now).await;
        write(other.clone(), now).await;
    }
    let seqs = |corp| async move {
        let events = stores
            .events
            .list_events(&corp, &uid("admin"), 0, 100)
            .await;
        events.unwrap().iter().map(|e| e.seq).collect::<Vec<_>>()
    };
    let prune = |before, now| stores.events.prune_events(&corp, before, now);
    let bounds = || stores.events.stream_bounds(&corp, &admin);

    // The first pass only marks: nothing is known to be old yet.
    assert_eq!(prune(50, 100).await.unwrap(), 0);
    assert_eq!(seqs(corp.clone()).await, [1, 2, 3]);
    assert_eq!(bounds().await.unwrap(), StreamBounds { pruned: 0, head: 3 });
    write(corp.clone(), 150).await;
    write(corp.clone(), 160).await;
    // The mark (taken at 100) is not older than the cut-off yet.
    assert_eq!(prune(99, 200).await.unwrap(), 0);
    assert_eq!(seqs(corp.clone()).await, [1, 2, 3, 4, 5]);

    // Now it is: what the stream held at the mark goes, the rest stays.
    assert_eq!(prune(100, 300).await.unwrap(), 3);
    assert_eq!(seqs(corp.clone()).await, [4, 5]);
    let cut = bounds().await.unwrap();
    assert_eq!(cut, StreamBounds { pruned: 3, head: 5 });
    assert!(!cut.continues_from(2), "behind the cut");
    assert!(cut.continues_from(3) && cut.continues_from(5));
    assert!(!cut.continues_from(6), "ahead of the stream");
    assert_eq!(
        seqs(other.clone()).await,
        [1, 2, 3],
        "other companies untouched"
    );

    // Marked again at 300 with the head at 5: the newest event always stays.
    assert_eq!(prune(300, 400).await.unwrap(), 1);
    assert_eq!(seqs(corp.clone()).await, [5]);
    assert_eq!(bounds().await.unwrap().pruned, 4);
    assert_eq!(prune(400, 500).await.unwrap(), 0);
    assert_eq!(seqs(corp.clone()).await, [5]);
    // The stream goes on after its cut.
    write(corp.clone(), 510).await;
    assert_eq!(seqs(corp.clone()).await, [5, 6]);
    assert_eq!(bounds().await.unwrap(), StreamBounds { pruned: 4, head: 6 });
    // A stream that does not exist has nothing kept and nothing pruned.
    let none = stores.events.stream_bounds(&corp, &uid("ghost")).await;
    assert_eq!(none.unwrap(), StreamBounds::default());
}
