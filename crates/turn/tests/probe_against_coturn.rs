//! The health probe against a real coturn, and against servers that misbehave.

mod support;

use std::time::{Duration, Instant, SystemTime};

use charge_turn::{
    Category, EndpointResult, IceServer, ProbeOptions, Report, Transport, TurnConfig, probe_all,
    rest_credentials,
};
use support::{Auth, Coturn, PASSWORD, TestPki, USER, options, static_config, temp_dir};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

const TIMEOUT: Duration = Duration::from_secs(5);

fn only(report: &Report) -> &EndpointResult {
    assert_eq!(report.results.len(), 1, "{report:#?}");
    &report.results[0]
}

fn assert_failed(result: &EndpointResult, category: Category) {
    assert!(!result.ok, "{result:#?}");
    assert_eq!(result.category, Some(category), "{result:#?}");
}

fn assert_allocated_and_released(result: &EndpointResult, coturn: &Coturn) {
    assert!(result.ok, "{result:#?}\ncoturn log:\n{}", coturn.log_text());
    assert_eq!(result.category, None);
    assert!(result.reachable);
    assert!(result.released, "{result:#?}");
    let relayed = result
        .relayed_address
        .as_deref()
        .expect("a relayed address");
    assert!(relayed.starts_with("127.0.0.1:"), "{relayed}");
}

#[tokio::test]
async fn allocates_and_releases_over_udp_tcp_and_tls_verified_with_the_test_ca() {
    let dir = temp_dir();
    let pki = TestPki::generate(dir.path());
    let coturn = Coturn::with_tls(dir.path(), &pki);
    let config = static_config(
        vec![coturn.url("udp"), coturn.url("tcp"), coturn.tls_url()],
        PASSWORD,
    );

    let report = probe_all(&config, &[], &pki.options(TIMEOUT)).await;

    assert_eq!(report.results.len(), 3);
    let transports: Vec<_> = report.results.iter().map(|r| r.transport).collect();
    assert_eq!(
        transports,
        vec![
            Some(Transport::Udp),
            Some(Transport::Tcp),
            Some(Transport::Tls)
        ]
    );
    for result in &report.results {
        assert_allocated_and_released(result, &coturn);
    }
    assert!(report.all_ok());
    // The releases really reached coturn: it logs each Refresh with lifetime 0.
    coturn.wait_for_log(
        "refreshed, realm=<charge.test>, username=<charge>, lifetime=0",
        3,
    );
}

#[tokio::test]
async fn tls_by_host_name_is_verified_against_the_certificate_names() {
    let dir = temp_dir();
    let pki = TestPki::generate(dir.path());
    let coturn = Coturn::with_tls(dir.path(), &pki);
    let url = format!("turns:localhost:{}", coturn.tls_port.unwrap());

    let report = probe_all(
        &static_config(vec![url], PASSWORD),
        &[],
        &pki.options(TIMEOUT),
    )
    .await;

    assert_allocated_and_released(only(&report), &coturn);
}

#[tokio::test]
async fn tls_with_insecure_allocates_without_trusting_the_certificate() {
    let dir = temp_dir();
    let pki = TestPki::generate(dir.path());
    let coturn = Coturn::with_tls(dir.path(), &pki);
    let opts = ProbeOptions {
        insecure: true,
        ..options(TIMEOUT)
    };

    let report = probe_all(&static_config(vec![coturn.tls_url()], PASSWORD), &[], &opts).await;

    assert_allocated_and_released(only(&report), &coturn);
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_connect_failure_naming_the_cause() {
    let dir = temp_dir();
    let pki = TestPki::generate(dir.path());
    let coturn = Coturn::with_tls(dir.path(), &pki);

    let report = probe_all(
        &static_config(vec![coturn.tls_url()], PASSWORD),
        &[],
        &options(TIMEOUT),
    )
    .await;

    let result = only(&report);
    assert_failed(result, Category::Connect);
    assert!(result.detail.contains("certificate"), "{}", result.detail);
}

#[tokio::test]
async fn a_wrong_password_is_an_auth_failure_well_before_the_deadline() {
    let dir = temp_dir();
    let coturn = Coturn::plain(dir.path());
    let config = static_config(vec![coturn.url("udp"), coturn.url("tcp")], "wrong-password");
    let timeout = Duration::from_secs(20);

    let started = Instant::now();
    let report = probe_all(&config, &[], &options(timeout)).await;

    for result in &report.results {
        assert_failed(result, Category::Auth);
        assert!(result.reachable);
        assert!(result.detail.contains("401"), "{}", result.detail);
    }
    // An auth verdict comes from coturn's answer, not from running out of time.
    assert!(started.elapsed() < timeout, "took {:?}", started.elapsed());
}

#[tokio::test]
async fn missing_credentials_are_a_config_failure_but_the_port_is_reachable() {
    let dir = temp_dir();
    let coturn = Coturn::plain(dir.path());
    let config = TurnConfig {
        turn_servers: vec![coturn.url("udp")],
        username: Some(USER.into()),
        ..TurnConfig::default()
    };

    let report = probe_all(&config, &[], &options(TIMEOUT)).await;

    let result = only(&report);
    assert_failed(result, Category::Config);
    assert!(result.reachable, "{result:#?}");
    assert!(result.detail.contains("credential"), "{}", result.detail);
}

#[tokio::test]
async fn malformed_urls_are_config_failures_without_any_network_traffic() {
    let config = static_config(
        vec![
            "turn:127.0.0.1:notaport".into(),
            "turn:127.0.0.1?transport=sctp".into(),
            "https://127.0.0.1".into(),
            "turns:127.0.0.1?transport=udp".into(),
        ],
        PASSWORD,
    );

    let report = probe_all(&config, &[], &options(TIMEOUT)).await;

    assert_eq!(report.results.len(), 4);
    for result in &report.results {
        assert_failed(result, Category::Config);
        assert!(!result.reachable);
        assert!(
            result.detail.starts_with("invalid TURN URL"),
            "{}",
            result.detail
        );
    }
}

#[tokio::test]
async fn nothing_listening_is_a_connect_failure_within_the_deadline() {
    let closed_udp = support::free_port();
    let closed_tcp = support::free_port();
    // Bound but never answering: the probe can only give up at its deadline.
    let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let timeout = Duration::from_secs(2);
    let config = static_config(
        vec![
            format!("turn:127.0.0.1:{closed_udp}?transport=udp"),
            format!("turn:127.0.0.1:{closed_tcp}?transport=tcp"),
            format!("turns:127.0.0.1:{closed_tcp}"),
            format!("turn:127.0.0.1:{silent_port}"),
            "turn:does-not-exist.invalid:3478".into(),
        ],
        PASSWORD,
    );

    let started = Instant::now();
    let report = probe_all(&config, &[], &options(timeout)).await;

    assert!(
        started.elapsed() < timeout + Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    for result in &report.results {
        assert_failed(result, Category::Connect);
        assert!(!result.reachable);
        assert!(
            result.elapsed < timeout + Duration::from_secs(1),
            "{result:#?}"
        );
    }
    assert!(
        report.results[3].detail.contains("no answer"),
        "{}",
        report.results[3].detail
    );
    assert!(
        report.results[4].detail.contains("resolve"),
        "{}",
        report.results[4].detail
    );
}

#[tokio::test]
async fn udp_and_tcp_listeners_answering_garbage_are_protocol_failures() {
    let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let udp_port = udp.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut buf = [0u8; 2048];
        while let Ok((_, from)) = udp.recv_from(&mut buf).await {
            let _ = udp.send_to(b"garbage, not STUN", from).await;
        }
    });
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let tcp_port = tcp.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = tcp.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 2048];
                let _ = stream.read(&mut buf).await;
                let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
                // Keep the connection open: the verdict must not depend on a close.
                tokio::time::sleep(Duration::from_secs(30)).await;
            });
        }
    });
    let config = static_config(
        vec![
            format!("turn:127.0.0.1:{udp_port}?transport=udp"),
            format!("turn:127.0.0.1:{tcp_port}?transport=tcp"),
        ],
        PASSWORD,
    );

    let report = probe_all(&config, &[], &options(TIMEOUT)).await;

    for result in &report.results {
        assert_failed(result, Category::Protocol);
        assert!(
            result.reachable || result.detail.contains("STUN"),
            "{result:#?}"
        );
        assert!(result.elapsed < TIMEOUT, "{result:#?}");
    }
}

#[tokio::test]
async fn shared_secret_mode_allocates_on_a_use_auth_secret_coturn() {
    let dir = temp_dir();
    let secret = charge_turn::generate_secret(48);
    let coturn = Coturn::start(dir.path(), Auth::SharedSecret(secret.clone()), None);

    // The probe derives REST credentials itself from the shared secret.
    let derived = TurnConfig {
        turn_servers: vec![coturn.url("udp"), coturn.url("tcp")],
        shared_secret: Some(secret.clone()),
        ..TurnConfig::default()
    };
    let report = probe_all(&derived, &[], &options(TIMEOUT)).await;
    for result in &report.results {
        assert_allocated_and_released(result, &coturn);
    }

    // What the server hands a browser (a REST username/credential pair) works as is.
    let (username, credential) =
        rest_credentials(&secret, "42", Duration::from_secs(3600), SystemTime::now());
    let handed_out = TurnConfig {
        turn_servers: vec![coturn.url("udp")],
        username: Some(username),
        credential: Some(credential),
        ..TurnConfig::default()
    };
    let report = probe_all(&handed_out, &[], &options(TIMEOUT)).await;
    assert_allocated_and_released(only(&report), &coturn);

    // Expired or foreign-secret credentials are refused.
    let (expired_user, expired_credential) = rest_credentials(
        &secret,
        "42",
        Duration::ZERO,
        SystemTime::now() - Duration::from_secs(3600),
    );
    let expired = TurnConfig {
        turn_servers: vec![coturn.url("udp")],
        username: Some(expired_user),
        credential: Some(expired_credential),
        ..TurnConfig::default()
    };
    assert_failed(
        only(&probe_all(&expired, &[], &options(TIMEOUT)).await),
        Category::Auth,
    );
    let foreign = TurnConfig {
        shared_secret: Some("another-secret".into()),
        ..derived
    };
    for result in &probe_all(&foreign, &[], &options(TIMEOUT)).await.results {
        assert_failed(result, Category::Auth);
    }
}

#[tokio::test]
async fn fallback_servers_and_extra_urls_are_probed_with_their_own_credentials() {
    let dir = temp_dir();
    let primary = Coturn::plain(dir.path());
    let backup = Coturn::start(
        dir.path(),
        Auth::Static {
            user: "backup".into(),
            password: "backup-password".into(),
        },
        None,
    );
    let config = TurnConfig {
        fallback_servers: vec![IceServer {
            urls: vec![backup.url("udp"), "stun:127.0.0.1:1".into()],
            username: Some("backup".into()),
            credential: Some("backup-password".into()),
        }],
        ..static_config(vec![primary.url("udp")], PASSWORD)
    };

    let report = probe_all(&config, &[primary.url("tcp")], &options(TIMEOUT)).await;

    assert_eq!(report.results.len(), 3, "{report:#?}");
    assert_allocated_and_released(&report.results[0], &primary);
    assert_allocated_and_released(&report.results[1], &backup);
    assert_allocated_and_released(&report.results[2], &primary);
    let json = serde_json::to_value(&report).unwrap();
    let origins: Vec<_> = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["origin"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(origins, vec!["primary", "fallback", "extra"]);
}
