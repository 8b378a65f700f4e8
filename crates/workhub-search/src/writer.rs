//! The index's writer, on a thread of its own at low priority (nice 10). Threads inherit their
//! parent's priority, and tantivy starts its indexing thread anew at every commit, from the
//! thread that commits: so every write runs here, and all of tantivy's threads (indexing,
//! merges) give way to requests. Indexing runs in bursts every half second, and on a small
//! machine a burst at normal priority showed as latency in message delivery.

use std::sync::mpsc;
use std::thread::JoinHandle;

use tantivy::{Index, IndexWriter};

use crate::{SearchError, SearchResult};

type Job = Box<dyn FnOnce(&mut IndexWriter) -> SearchResult<()> + Send>;
type Request = (Job, mpsc::SyncSender<SearchResult<()>>);

pub(crate) struct BackgroundWriter {
    jobs: Option<mpsc::Sender<Request>>,
    thread: Option<JoinHandle<()>>,
}

impl BackgroundWriter {
    /// Starts the thread and makes the writer there (`memory` bytes buffered per segment).
    pub(crate) fn start(index: &Index, memory: usize) -> SearchResult<BackgroundWriter> {
        let index = index.clone();
        let (jobs, queue) = mpsc::channel::<Request>();
        let (ready, started) = mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("search-writer".into())
            .spawn(move || {
                // Linux gives each thread its own nice value; elsewhere this may fail, harmlessly.
                let _ = rustix::process::setpriority_process(None, 10);
                let mut writer = match index.writer_with_num_threads(1, memory) {
                    Ok(writer) => writer,
                    Err(e) => {
                        let _ = ready.send(Err(SearchError::from(e)));
                        return;
                    }
                };
                let _ = ready.send(Ok(()));
                // Until the index is dropped, which closes the queue.
                for (job, reply) in queue {
                    let _ = reply.send(job(&mut writer));
                }
            })
            .map_err(|e| SearchError::Index(format!("index writer thread: {e}")))?;
        let writer = BackgroundWriter {
            jobs: Some(jobs),
            thread: Some(thread),
        };
        started
            .recv()
            .map_err(|_| SearchError::Index("could not start the index writer".into()))??;
        Ok(writer)
    }

    /// Runs `job` on the writer's thread and waits for it.
    pub(crate) fn run(
        &self,
        job: impl FnOnce(&mut IndexWriter) -> SearchResult<()> + Send + 'static,
    ) -> SearchResult<()> {
        let stopped = || SearchError::Index("the index writer stopped".into());
        let (reply, done) = mpsc::sync_channel(1);
        let jobs = self.jobs.as_ref().ok_or_else(stopped)?;
        jobs.send((Box::new(job), reply)).map_err(|_| stopped())?;
        done.recv().map_err(|_| stopped())?
    }
}

impl Drop for BackgroundWriter {
    /// Closes the queue and waits for the thread: the writer's lock on the index is released
    /// before anyone may open the index again (a restart within the same process).
    fn drop(&mut self) {
        self.jobs.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
