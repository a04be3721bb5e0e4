//! Independent check of every STUN message exchanged with the server during a probe.
//!
//! The TURN client state machine does the protocol work, but it does not say *why* an
//! allocation failed (with a wrong password it keeps retrying until it gives up), and a health
//! probe needs exactly that. So each outgoing request is recorded here and each incoming
//! message is judged before the client sees it: this is where garbage, rejected credentials,
//! stale nonces and unverifiable responses become categorised failures.

use std::net::SocketAddr;

use turn_client_proto::types::attribute::XorRelayedAddress;
use turn_client_proto::types::message::{ALLOCATE, REFRESH};
use turn_client_proto::types::stun::attribute::{
    AttributeStaticType as _, ErrorCode, MessageIntegrity, Nonce, Realm,
};
use turn_client_proto::types::stun::message::{
    LongTermKeyCredentials, Message, MessageClass, TransactionId,
};

use crate::failure::{Category, Failure};

/// How many 438 (Stale Nonce) answers in a row are tolerated before giving up.
const MAX_STALE_NONCE: u32 = 3;

/// What a received message means for the probe.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Nothing decisive yet; keep driving the client.
    Continue,
    /// The server allocated a relay and the response's MESSAGE-INTEGRITY verified.
    Allocated(SocketAddr),
    /// The allocation was released (Refresh with LIFETIME 0 answered).
    Released,
    /// The release was refused; the allocation will expire on its own.
    ReleaseRefused(String),
}

#[derive(Debug)]
struct Sent {
    transaction: TransactionId,
    method: u16,
    authenticated: bool,
}

/// The probe's own view of the STUN transactions of one allocation attempt.
#[derive(Debug)]
pub(crate) struct Exchange {
    credentials: Option<(String, String)>,
    missing_credentials: String,
    realm: Option<String>,
    sent: Vec<Sent>,
    stale_nonces: u32,
    answered: bool,
}

impl Exchange {
    /// `credentials` is `None` when the endpoint has none configured; the exchange then fails
    /// with `config` (and the reason given) once the server has proved reachable by challenging.
    pub(crate) fn new(credentials: Option<(String, String)>, missing_credentials: String) -> Self {
        Self {
            credentials,
            missing_credentials,
            realm: None,
            sent: Vec::new(),
            stale_nonces: 0,
            answered: false,
        }
    }

    /// Whether the server has sent at least one well-formed response to one of our requests.
    pub(crate) fn answered(&self) -> bool {
        self.answered
    }

    /// Records an outgoing message. Returns `false` for bytes that are not a STUN message.
    pub(crate) fn on_send(&mut self, bytes: &[u8]) -> bool {
        let Ok(message) = Message::from_bytes(bytes) else {
            return false;
        };
        if message.has_class(MessageClass::Request) {
            self.sent.push(Sent {
                transaction: message.transaction_id(),
                method: message.method().value(),
                authenticated: message.has_attribute(MessageIntegrity::TYPE),
            });
        }
        true
    }

    /// Judges one complete message received from the server.
    pub(crate) fn on_receive(&mut self, bytes: &[u8]) -> Result<Step, Failure> {
        let message = Message::from_bytes(bytes).map_err(|e| {
            Failure::new(
                Category::Protocol,
                format!(
                    "server sent {} bytes that are not a valid STUN message ({e})",
                    bytes.len()
                ),
            )
        })?;
        if !message.is_response() {
            // Indications (e.g. Data) are not part of an Allocate exchange; let the client decide.
            return Ok(Step::Continue);
        }
        let Some(sent) = self
            .sent
            .iter()
            .find(|sent| sent.transaction == message.transaction_id())
        else {
            return Err(Failure::new(
                Category::Protocol,
                "server answered a transaction the probe never started",
            ));
        };
        if sent.method != message.method().value() {
            return Err(Failure::new(
                Category::Protocol,
                format!(
                    "server answered a {} request with a {} response",
                    method_name(sent.method),
                    method_name(message.method().value())
                ),
            ));
        }
        self.answered = true;
        let authenticated = sent.authenticated;
        match (message.method(), message.class()) {
            (ALLOCATE, MessageClass::Error) => self.allocate_error(&message, authenticated),
            (ALLOCATE, MessageClass::Success) => self.allocate_success(&message, authenticated),
            (REFRESH, MessageClass::Success) => Ok(Step::Released),
            (REFRESH, MessageClass::Error) => {
                let code = error_code(&message)?;
                match code.code() {
                    // The allocation is already gone.
                    ErrorCode::ALLOCATION_MISMATCH => Ok(Step::Released),
                    // The client resends with the new nonce.
                    ErrorCode::STALE_NONCE => Ok(Step::Continue),
                    _ => Ok(Step::ReleaseRefused(describe(&code))),
                }
            }
            _ => Ok(Step::Continue),
        }
    }

    fn allocate_error(
        &mut self,
        message: &Message<'_>,
        authenticated: bool,
    ) -> Result<Step, Failure> {
        let code = error_code(message)?;
        match code.code() {
            ErrorCode::UNAUTHORIZED if !authenticated => {
                let (Ok(realm), Ok(_nonce)) =
                    (message.attribute::<Realm>(), message.attribute::<Nonce>())
                else {
                    return Err(Failure::new(
                        Category::Protocol,
                        "401 challenge without REALM and NONCE attributes",
                    ));
                };
                if self.credentials.is_none() {
                    return Err(Failure::new(
                        Category::Config,
                        self.missing_credentials.clone(),
                    ));
                }
                self.realm = Some(realm.realm().to_string());
                Ok(Step::Continue)
            }
            ErrorCode::UNAUTHORIZED => Err(Failure::new(
                Category::Auth,
                format!(
                    "credentials rejected ({}); check the username and credential or shared secret",
                    describe(&code)
                ),
            )),
            ErrorCode::STALE_NONCE => {
                self.stale_nonces += 1;
                if message.attribute::<Nonce>().is_err() {
                    return Err(Failure::new(
                        Category::Protocol,
                        "438 Stale Nonce without a new NONCE",
                    ));
                }
                if let Ok(realm) = message.attribute::<Realm>() {
                    self.realm = Some(realm.realm().to_string());
                }
                if self.stale_nonces > MAX_STALE_NONCE {
                    return Err(Failure::new(
                        Category::Auth,
                        format!(
                            "server answered {} times with 438 Stale Nonce",
                            self.stale_nonces
                        ),
                    ));
                }
                Ok(Step::Continue)
            }
            _ => Err(Failure::new(
                Category::Auth,
                format!("Allocate rejected ({})", describe(&code)),
            )),
        }
    }

    fn allocate_success(
        &mut self,
        message: &Message<'_>,
        authenticated: bool,
    ) -> Result<Step, Failure> {
        if !authenticated {
            return Err(Failure::new(
                Category::Auth,
                "server allocated a relay without authentication (an open relay); enable \
                 long-term credentials on it",
            ));
        }
        let (Some((username, password)), Some(realm)) = (&self.credentials, &self.realm) else {
            return Err(Failure::new(
                Category::Protocol,
                "Allocate success before any authentication challenge",
            ));
        };
        if !message.has_attribute(MessageIntegrity::TYPE) {
            return Err(Failure::new(
                Category::Protocol,
                "Allocate success response without MESSAGE-INTEGRITY",
            ));
        }
        let key = LongTermKeyCredentials::new(username.clone(), password.clone(), realm.clone());
        message.validate_integrity(&key.into()).map_err(|e| {
            Failure::new(
                Category::Protocol,
                format!("Allocate success response failed MESSAGE-INTEGRITY verification ({e})"),
            )
        })?;
        let relayed = message.attribute::<XorRelayedAddress>().map_err(|_| {
            Failure::new(
                Category::Protocol,
                "Allocate success response without XOR-RELAYED-ADDRESS",
            )
        })?;
        Ok(Step::Allocated(relayed.addr(message.transaction_id())))
    }
}

fn error_code(message: &Message<'_>) -> Result<ErrorCode, Failure> {
    message.attribute::<ErrorCode>().map_err(|_| {
        Failure::new(
            Category::Protocol,
            format!(
                "{} error response without a valid ERROR-CODE",
                method_name(message.method().value())
            ),
        )
    })
}

fn describe(code: &ErrorCode) -> String {
    let reason = code.reason();
    let reason = if reason.is_empty() {
        ErrorCode::default_reason_for_code(code.code())
    } else {
        reason
    };
    format!("{} {}", code.code(), reason)
}

fn method_name(method: u16) -> &'static str {
    match method {
        0x0001 => "Binding",
        0x0003 => "Allocate",
        0x0004 => "Refresh",
        0x0008 => "CreatePermission",
        0x0009 => "ChannelBind",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use turn_client_proto::types::attribute::{Lifetime, RequestedTransport};
    use turn_client_proto::types::stun::attribute::Username;
    use turn_client_proto::types::stun::message::{
        IntegrityAlgorithm, MessageWrite as _, MessageWriteExt as _, MessageWriteVec,
    };

    const USER: &str = "charge";
    const PASS: &str = "secret";
    const REALM: &str = "test";

    fn key(password: &str) -> turn_client_proto::types::stun::message::MessageIntegrityCredentials {
        LongTermKeyCredentials::new(USER.into(), password.into(), REALM.into()).into()
    }

    fn allocate_request(authenticated: bool) -> Vec<u8> {
        let mut request = Message::builder_request(ALLOCATE, MessageWriteVec::new());
        request
            .add_attribute(&RequestedTransport::new(RequestedTransport::UDP))
            .unwrap();
        if authenticated {
            request
                .add_attribute(&Username::new(USER).unwrap())
                .unwrap();
            request.add_attribute(&Realm::new(REALM).unwrap()).unwrap();
            request.add_attribute(&Nonce::new("n1").unwrap()).unwrap();
            request
                .add_message_integrity(&key(PASS), IntegrityAlgorithm::Sha1)
                .unwrap();
        }
        request.finish()
    }

    fn error(request: &[u8], code: u16, challenge: bool) -> Vec<u8> {
        let request = Message::from_bytes(request).unwrap();
        let mut response = Message::builder_error(&request, MessageWriteVec::new());
        response
            .add_attribute(&ErrorCode::builder(code).build().unwrap())
            .unwrap();
        if challenge {
            response.add_attribute(&Realm::new(REALM).unwrap()).unwrap();
            response.add_attribute(&Nonce::new("n2").unwrap()).unwrap();
        }
        response.finish()
    }

    fn allocated(request: &[u8], password: &str) -> Vec<u8> {
        let request = Message::from_bytes(request).unwrap();
        let mut response = Message::builder_success(&request, MessageWriteVec::new());
        let relayed: SocketAddr = "127.0.0.1:50000".parse().unwrap();
        response
            .add_attribute(&XorRelayedAddress::new(relayed, request.transaction_id()))
            .unwrap();
        response.add_attribute(&Lifetime::new(600)).unwrap();
        response
            .add_message_integrity(&key(password), IntegrityAlgorithm::Sha1)
            .unwrap();
        response.finish()
    }

    fn exchange() -> Exchange {
        Exchange::new(Some((USER.into(), PASS.into())), "no credentials".into())
    }

    #[test]
    fn challenge_then_verified_success_allocates() {
        let mut exchange = exchange();
        let first = allocate_request(false);
        assert!(exchange.on_send(&first));
        assert_eq!(
            exchange.on_receive(&error(&first, 401, true)),
            Ok(Step::Continue)
        );
        assert!(exchange.answered());
        let second = allocate_request(true);
        exchange.on_send(&second);
        assert_eq!(
            exchange.on_receive(&allocated(&second, PASS)),
            Ok(Step::Allocated("127.0.0.1:50000".parse().unwrap()))
        );
    }

    #[test]
    fn a_second_401_means_the_credentials_were_rejected() {
        let mut exchange = exchange();
        let first = allocate_request(false);
        exchange.on_send(&first);
        exchange.on_receive(&error(&first, 401, true)).unwrap();
        let second = allocate_request(true);
        exchange.on_send(&second);
        let failure = exchange.on_receive(&error(&second, 401, true)).unwrap_err();
        assert_eq!(failure.category, Category::Auth);
        assert!(failure.message.contains("401"), "{}", failure.message);
    }

    #[test]
    fn a_success_signed_with_another_key_fails_integrity() {
        let mut exchange = exchange();
        let first = allocate_request(false);
        exchange.on_send(&first);
        exchange.on_receive(&error(&first, 401, true)).unwrap();
        let second = allocate_request(true);
        exchange.on_send(&second);
        let failure = exchange
            .on_receive(&allocated(&second, "other"))
            .unwrap_err();
        assert_eq!(failure.category, Category::Protocol);
        assert!(
            failure.message.contains("MESSAGE-INTEGRITY"),
            "{}",
            failure.message
        );
    }

    #[test]
    fn missing_credentials_fail_as_config_after_the_challenge() {
        let mut exchange = Exchange::new(None, "no TURN credentials configured".into());
        let first = allocate_request(false);
        exchange.on_send(&first);
        let failure = exchange.on_receive(&error(&first, 401, true)).unwrap_err();
        assert_eq!(failure.category, Category::Config);
        assert!(exchange.answered());
    }

    #[test]
    fn stale_nonces_are_retried_a_few_times_then_fail_as_auth() {
        let mut exchange = exchange();
        let first = allocate_request(false);
        exchange.on_send(&first);
        exchange.on_receive(&error(&first, 401, true)).unwrap();
        for _ in 0..MAX_STALE_NONCE {
            let request = allocate_request(true);
            exchange.on_send(&request);
            assert_eq!(
                exchange.on_receive(&error(&request, 438, true)),
                Ok(Step::Continue)
            );
        }
        let request = allocate_request(true);
        exchange.on_send(&request);
        let failure = exchange
            .on_receive(&error(&request, 438, true))
            .unwrap_err();
        assert_eq!(failure.category, Category::Auth);
    }

    #[test]
    fn garbage_challenge_and_unknown_transactions_are_protocol_errors() {
        let mut exchange = exchange();
        let first = allocate_request(false);
        exchange.on_send(&first);
        let failure = exchange
            .on_receive(b"HTTP/1.1 400 Bad Request\r\n\r\n")
            .unwrap_err();
        assert_eq!(failure.category, Category::Protocol);
        let unrelated = allocate_request(false);
        let failure = exchange
            .on_receive(&error(&unrelated, 401, true))
            .unwrap_err();
        assert_eq!(failure.category, Category::Protocol);
        assert!(!exchange.answered());
        let failure = exchange.on_receive(&error(&first, 401, false)).unwrap_err();
        assert_eq!(failure.category, Category::Protocol);
        assert!(exchange.answered());
    }

    #[test]
    fn other_allocate_errors_are_auth_failures_with_the_server_reason() {
        let mut exchange = exchange();
        let first = allocate_request(false);
        exchange.on_send(&first);
        exchange.on_receive(&error(&first, 401, true)).unwrap();
        let second = allocate_request(true);
        exchange.on_send(&second);
        let failure = exchange
            .on_receive(&error(&second, 486, false))
            .unwrap_err();
        assert_eq!(failure.category, Category::Auth);
        assert!(failure.message.contains("486"), "{}", failure.message);
    }
}
