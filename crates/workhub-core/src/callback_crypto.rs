//! WeCom's callback crypto (WXBizMsgCrypt), with which Workhub signs and encrypts what it pushes
//! to integrators' callback URLs (shared/wecom-api.md §10.3): AES-256-CBC with IV = key[..16],
//! PKCS#7 padding to 32-byte blocks (padding values up to 32, which stock un-padders refuse),
//! and a SHA-1 signature over the sorted (token, timestamp, nonce, ciphertext).

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use base64::Engine;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use sha1::{Digest, Sha1};

type Encryptor = cbc::Encryptor<aes::Aes256>;
type Decryptor = cbc::Decryptor<aes::Aes256>;

/// The padding block: WeCom pads to 32 bytes although AES blocks are 16.
const PAD_BLOCK: usize = 32;

/// EncodingAESKey is 43 base64 characters whose last one carries spare bits; decode leniently.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackCipher {
    token: String,
    key: [u8; 32],
    receive_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackCryptoError {
    #[error("EncodingAESKey must be 43 letters or digits")]
    BadKey,
    #[error("the ciphertext cannot be decrypted")]
    BadCiphertext,
}

impl CallbackCipher {
    /// `encoding_aes_key`: the 43-character key an integrator configured; `receive_id`: the
    /// corpid for self-built apps, the contacts tool and batch jobs.
    pub fn new(
        token: &str,
        encoding_aes_key: &str,
        receive_id: &str,
    ) -> Result<Self, CallbackCryptoError> {
        if encoding_aes_key.len() != 43
            || !encoding_aes_key.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(CallbackCryptoError::BadKey);
        }
        let bytes = LENIENT
            .decode(format!("{encoding_aes_key}="))
            .map_err(|_| CallbackCryptoError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| CallbackCryptoError::BadKey)?;
        Ok(Self {
            token: token.to_string(),
            key,
            receive_id: receive_id.to_string(),
        })
    }

    /// `msg` encrypted with the given 16 random bytes, as base64.
    pub fn encrypt(&self, msg: &str, random: [u8; 16]) -> String {
        let mut plain = Vec::with_capacity(msg.len() + 64);
        plain.extend_from_slice(&random);
        plain.extend_from_slice(&u32::try_from(msg.len()).unwrap_or(u32::MAX).to_be_bytes());
        plain.extend_from_slice(msg.as_bytes());
        plain.extend_from_slice(self.receive_id.as_bytes());
        let pad = PAD_BLOCK - plain.len() % PAD_BLOCK;
        plain.extend(std::iter::repeat_n(u8::try_from(pad).unwrap_or(32), pad));
        let cipher = Encryptor::new(&self.key.into(), &self.iv().into());
        STANDARD.encode(cipher.encrypt_padded_vec::<NoPadding>(&plain))
    }

    /// The message and the receive id inside a ciphertext.
    pub fn decrypt(&self, encrypted: &str) -> Result<(String, String), CallbackCryptoError> {
        let bad = |_| CallbackCryptoError::BadCiphertext;
        let bytes = STANDARD
            .decode(encrypted)
            .map_err(|_| CallbackCryptoError::BadCiphertext)?;
        if bytes.is_empty() || bytes.len() % 16 != 0 {
            return Err(CallbackCryptoError::BadCiphertext);
        }
        let cipher = Decryptor::new(&self.key.into(), &self.iv().into());
        let plain = cipher
            .decrypt_padded_vec::<NoPadding>(&bytes)
            .map_err(bad)?;
        let pad = usize::from(*plain.last().unwrap_or(&0));
        if !(1..=PAD_BLOCK).contains(&pad) || plain.len() < 20 + pad {
            return Err(CallbackCryptoError::BadCiphertext);
        }
        let body = &plain[16..plain.len() - pad];
        let (len, rest) = body.split_at(4);
        let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        if len > rest.len() {
            return Err(CallbackCryptoError::BadCiphertext);
        }
        let (msg, id) = rest.split_at(len);
        let text = |b: &[u8]| {
            String::from_utf8(b.to_vec()).map_err(|_| CallbackCryptoError::BadCiphertext)
        };
        Ok((text(msg)?, text(id)?))
    }

    /// `msg_signature` for a push or a URL check.
    pub fn signature(&self, timestamp: &str, nonce: &str, encrypted: &str) -> String {
        let mut parts = [self.token.as_str(), timestamp, nonce, encrypted];
        parts.sort_unstable();
        crate::secret::hex(&Sha1::digest(parts.concat().as_bytes()))
    }

    fn iv(&self) -> [u8; 16] {
        let mut iv = [0u8; 16];
        iv.copy_from_slice(&self.key[..16]);
        iv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The known-answer vector of shared/wecom-api.md §10.3 (made by @wecom/crypto, checked by
    // wechatpy); its padding is 17 bytes, past what stock PKCS#7 un-padders accept.
    const KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
    const ID: &str = "wx5823bf96d3bd56c7";
    const MSG: &str = "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content></xml>";
    const ENCRYPTED: &str = "sKqRbbiSUnDhFHOvPjtUMaOYPVMuC3U6o8RmSdjyRJgH3vrmlMXlM0/dVUnsKWz0IIijyS9sQ2mB0XUmFs9ae6j+CtWCM+DZ404j9fP4NWu8T8qSjpOGYg04vaa2FHKt4DsZkUzny8d7l2EVJIKkNgWtiDGL4nl4LGlwqcCH3ie6QA/sMh+uhXFFJbcz54n+PQDnhH/waI7ETEoisJN+rhjFkjUJZG+NGwhHTC5iRz1Ngj3KV8iA/HTmzt+U15dN";

    #[test]
    fn matches_the_known_answer_both_ways() {
        let cipher = CallbackCipher::new("QDG6eK", KEY, ID).unwrap();
        assert_eq!(cipher.encrypt(MSG, *b"0123456789abcdef"), ENCRYPTED);
        assert_eq!(
            cipher.decrypt(ENCRYPTED).unwrap(),
            (MSG.to_string(), ID.to_string())
        );
        assert_eq!(
            cipher.signature("1409659813", "1372623149", ENCRYPTED),
            "f15ef7c2b997925a35170e3bd5d4f68932060da8"
        );
    }

    #[test]
    fn every_length_round_trips_and_bad_input_is_refused() {
        let cipher = CallbackCipher::new("t", KEY, "corp").unwrap();
        for n in 0..70 {
            let msg = "字".repeat(n);
            let encrypted = cipher.encrypt(&msg, [7; 16]);
            assert_eq!(cipher.decrypt(&encrypted).unwrap().0, msg);
        }
        assert_eq!(
            cipher.decrypt("not base64!"),
            Err(CallbackCryptoError::BadCiphertext)
        );
        assert_eq!(
            cipher.decrypt("AAAA"),
            Err(CallbackCryptoError::BadCiphertext)
        );
        assert_eq!(
            CallbackCipher::new("t", "short", "c"),
            Err(CallbackCryptoError::BadKey)
        );
    }
}
