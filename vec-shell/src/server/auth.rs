//! SCRAM-SHA-256 password authentication (RFC 5802 / 7677), as PostgreSQL's
//! `scram-sha-256` method runs it: the server offers the mechanism, the client sends
//! its nonce, the server answers with its nonce, the salt and the iteration count, the
//! client proves it knows the password, and the server proves it knows it too. Channel
//! binding is not offered (the connection has no TLS), so a client asking for it is
//! refused.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The mechanism's name.
pub const MECHANISM: &str = "SCRAM-SHA-256";
/// PBKDF2 iterations, PostgreSQL's default (`scram_iterations`).
const ITERATIONS: u32 = 4096;

/// Why an exchange failed.
#[derive(Debug, PartialEq)]
pub enum AuthError {
    /// The client's message is not a valid SCRAM message (PostgreSQL's text for it).
    Malformed(&'static str),
    /// The proof does not match the password.
    WrongPassword,
}

/// The server's side of one exchange.
pub struct Scram {
    salted_password: [u8; 32],
    salt: [u8; 16],
    nonce: String,
    client_first_bare: String,
    server_first: String,
}

impl Scram {
    /// Starts an exchange for `password` from the client's first message
    /// (`n,,n=user,r=nonce`); returns the server's first message.
    pub fn start(password: &str, client_first: &[u8]) -> Result<(Scram, String), AuthError> {
        let text = std::str::from_utf8(client_first)
            .map_err(|_| AuthError::Malformed("malformed SCRAM message"))?;
        let (gs2, bare) = match text.strip_prefix("n,,") {
            Some(bare) => ("n,,", bare),
            None => match text.strip_prefix("y,,") {
                Some(bare) => ("y,,", bare),
                None => {
                    return Err(AuthError::Malformed(
                        "unsupported SCRAM channel-binding type",
                    ))
                }
            },
        };
        let _ = gs2;
        let client_nonce =
            attribute(bare, 'r').ok_or(AuthError::Malformed("malformed SCRAM message"))?;
        if client_nonce.is_empty()
            || !client_nonce
                .bytes()
                .all(|b| (0x21..=0x7e).contains(&b) && b != b',')
        {
            return Err(AuthError::Malformed("malformed SCRAM message"));
        }
        let mut random = [0u8; 34];
        getrandom::fill(&mut random)
            .map_err(|_| AuthError::Malformed("could not generate random nonce"))?;
        let mut salt = [0u8; 16];
        salt.copy_from_slice(&random[..16]);
        let nonce = format!("{client_nonce}{}", BASE64.encode(&random[16..]));
        let server_first = format!("r={nonce},s={},i={ITERATIONS}", BASE64.encode(salt));
        let salted_password = salted_password(password.as_bytes(), &salt, ITERATIONS);
        let scram = Scram {
            salted_password,
            salt,
            nonce,
            client_first_bare: bare.to_string(),
            server_first: server_first.clone(),
        };
        Ok((scram, server_first))
    }

    /// Checks the client's final message (`c=biws,r=nonce,p=proof`); returns the
    /// server's final message (`v=signature`).
    pub fn finish(&self, client_final: &[u8]) -> Result<String, AuthError> {
        let malformed = AuthError::Malformed("malformed SCRAM message");
        let text = std::str::from_utf8(client_final)
            .map_err(|_| AuthError::Malformed("malformed SCRAM message"))?;
        let (without_proof, proof) = text
            .rsplit_once(",p=")
            .ok_or(AuthError::Malformed("malformed SCRAM message"))?;
        if attribute(without_proof, 'r') != Some(self.nonce.as_str()) {
            return Err(AuthError::Malformed("SCRAM nonce mismatch"));
        }
        if attribute(without_proof, 'c') != Some("biws") {
            return Err(AuthError::Malformed(
                "unexpected SCRAM channel-binding attribute in client-final-message",
            ));
        }
        let proof = BASE64.decode(proof).map_err(|_| malformed)?;
        let auth_message = format!(
            "{},{},{}",
            self.client_first_bare, self.server_first, without_proof
        );
        let client_key = hmac(&self.salted_password, b"Client Key");
        let stored_key: [u8; 32] = Sha256::digest(client_key).into();
        let signature = hmac(&stored_key, auth_message.as_bytes());
        if proof.len() != 32 {
            return Err(AuthError::WrongPassword);
        }
        let recovered: Vec<u8> = proof.iter().zip(signature).map(|(p, s)| p ^ s).collect();
        let recovered_stored: [u8; 32] = Sha256::digest(&recovered).into();
        // Compare without an early exit, so the time does not tell how much matched.
        let difference = recovered_stored
            .iter()
            .zip(stored_key)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if difference != 0 {
            return Err(AuthError::WrongPassword);
        }
        let server_key = hmac(&self.salted_password, b"Server Key");
        let server_signature = hmac(&server_key, auth_message.as_bytes());
        let _ = self.salt;
        Ok(format!("v={}", BASE64.encode(server_signature)))
    }
}

/// The value of attribute `name` in a SCRAM message (`r=…`).
fn attribute(message: &str, name: char) -> Option<&str> {
    message.split(',').find_map(|part| {
        let mut chars = part.chars();
        (chars.next() == Some(name) && chars.next() == Some('=')).then(|| &part[2..])
    })
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// PBKDF2-HMAC-SHA-256 with one block of output: SCRAM's `Hi(password, salt, i)`.
fn salted_password(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut first = salt.to_vec();
    first.extend_from_slice(&1u32.to_be_bytes());
    let mut block = hmac(password, &first);
    let mut result = block;
    for _ in 1..iterations {
        block = hmac(password, &block);
        for (r, b) in result.iter_mut().zip(block) {
            *r ^= b;
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The client's side, as RFC 5802 computes it.
    fn client_final(password: &str, client_first_bare: &str, server_first: &str) -> String {
        let salt = BASE64
            .decode(attribute(server_first, 's').unwrap())
            .unwrap();
        let iterations: u32 = attribute(server_first, 'i').unwrap().parse().unwrap();
        let nonce = attribute(server_first, 'r').unwrap();
        let without_proof = format!("c=biws,r={nonce}");
        let salted = salted_password(password.as_bytes(), &salt, iterations);
        let client_key = hmac(&salted, b"Client Key");
        let stored_key: [u8; 32] = Sha256::digest(client_key).into();
        let auth_message = format!("{client_first_bare},{server_first},{without_proof}");
        let signature = hmac(&stored_key, auth_message.as_bytes());
        let proof: Vec<u8> = client_key
            .iter()
            .zip(signature)
            .map(|(k, s)| k ^ s)
            .collect();
        format!("{without_proof},p={}", BASE64.encode(proof))
    }

    #[test]
    fn the_right_password_passes_and_a_wrong_one_fails() {
        let first = b"n,,n=,r=rOprNGfwEbeRWgbNEkqO";
        let (scram, server_first) = Scram::start("secret", first).unwrap();
        let good = client_final("secret", "n=,r=rOprNGfwEbeRWgbNEkqO", &server_first);
        assert!(scram.finish(good.as_bytes()).unwrap().starts_with("v="));
        let bad = client_final("guess", "n=,r=rOprNGfwEbeRWgbNEkqO", &server_first);
        assert_eq!(scram.finish(bad.as_bytes()), Err(AuthError::WrongPassword));
        assert!(Scram::start("secret", b"p=tls-server-end-point,,n=,r=x").is_err());
        assert!(scram.finish(b"garbage").is_err());
    }

    #[test]
    fn pbkdf2_matches_rfc_7914() {
        // RFC 7914 section 11: PBKDF2-HMAC-SHA256("passwd", "salt", 1), first 32 bytes.
        let out = salted_password(b"passwd", b"salt", 1);
        assert_eq!(out[..4], [0x55, 0xac, 0x04, 0x6e]);
    }
}
