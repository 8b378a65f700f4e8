//! Password digests (argon2id) and TOTP codes.
//!
//! Hashing is deliberately slow and takes 19 MiB of memory per call, so it runs on a few
//! dedicated threads rather than tokio's blocking pool: the allocator keeps freed memory per
//! thread, and hundreds of sign-ins spread over hundreds of blocking threads would leave
//! gigabytes resident. As many threads as cores also bounds the CPU sign-ins can take.

use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use tokio::sync::oneshot;
use totp_rs::{Builder, Secret, Totp};
use workhub_core::{Code, Error};

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads' queue, started on first use.
fn hashers() -> &'static Mutex<mpsc::Sender<Job>> {
    static QUEUE: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        for i in 0..threads {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password hashing thread");
            }
        }
        Mutex::new(tx)
    })
}

/// Runs `work` on a hashing thread; None if the pool is gone.
async fn on_hasher<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(work());
    });
    hashers().lock().ok()?.send(job).ok()?;
    rx.await.ok()
}

pub async fn hash(password: &str) -> Result<String, Error> {
    let password = password.to_string();
    on_hasher(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| {
                tracing::error!(error = %e, "argon2 hashing failed");
                Error::new(Code::Internal)
            })
    })
    .await
    .unwrap_or_else(|| Err(Error::new(Code::Internal)))
}

/// Whether `password` matches `digest`; a malformed digest never matches.
pub async fn verify(password: &str, digest: &str) -> bool {
    let (password, digest) = (password.to_string(), digest.to_string());
    on_hasher(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), digest.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// A new base32 TOTP secret.
pub fn new_totp_secret() -> String {
    Secret::generate().to_base32()
}

fn totp(secret: &str, account: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret).ok()?;
    Builder::new()
        .with_secret(secret)
        .with_account_name(account.to_string())
        .with_issuer(Some("Workhub"))
        .build()
        .ok()
}

/// The `otpauth://` URL authenticator apps import.
pub fn totp_url(secret: &str, account: &str) -> Option<String> {
    totp(secret, account)?.to_url().ok()
}

/// Whether `code` is valid at `now_ms` (one 30-second step of skew either way).
pub fn totp_ok(secret: &str, code: &str, now_ms: i64) -> bool {
    let secs = u64::try_from(now_ms / 1000).unwrap_or(0);
    totp(secret, "check").is_some_and(|t| t.check(code.trim(), secs).is_some())
}

/// The current code, for tests and tools.
pub fn totp_code(secret: &str, now_ms: i64) -> Option<String> {
    let secs = u64::try_from(now_ms / 1000).unwrap_or(0);
    Some(totp(secret, "check")?.generate(secs).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify() {
        let digest = hash("Pa55word!").await.unwrap();
        assert!(digest.starts_with("$argon2id$"));
        assert!(verify("Pa55word!", &digest).await);
        assert!(!verify("pa55word!", &digest).await);
        assert!(!verify("Pa55word!", "garbage").await);
    }

    #[test]
    fn totp_codes_check_with_skew() {
        let secret = new_totp_secret();
        let now = 1_700_000_000_000;
        let code = totp_code(&secret, now).unwrap();
        assert_eq!(code.len(), 6);
        assert!(totp_ok(&secret, &code, now));
        assert!(
            totp_ok(&secret, &code, now + 30_000),
            "one step late still passes"
        );
        assert!(!totp_ok(&secret, &code, now + 120_000));
        assert!(!totp_ok(&secret, "000000x", now));
        assert!(
            totp_url(&secret, "admin@acme")
                .unwrap()
                .starts_with("otpauth://totp/")
        );
    }
}
