//! The server under bad input and load: random bytes, truncated messages, oversized
//! lengths, a client that leaves in the middle of a COPY, and binary vectors sent
//! through a hand-written client; each bad connection ends with an error while the
//! server keeps serving. Then 50 clients at once.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use proptest::prelude::*;
use vec_shell::server::ServerOptions;

use super::Running;

fn frame(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![kind];
    out.extend_from_slice(&((body.len() + 4) as i32).to_be_bytes());
    out.extend_from_slice(body);
    out
}

fn startup() -> Vec<u8> {
    let mut body = 196_608u32.to_be_bytes().to_vec();
    body.extend_from_slice(b"user\0raw\0\0");
    let mut out = ((body.len() + 4) as i32).to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    out
}

/// Connects and completes the startup phase, reading up to the first ReadyForQuery.
fn raw_client(server: &Running) -> TcpStream {
    let mut stream = TcpStream::connect(server.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(&startup()).unwrap();
    read_until(&mut stream, b'Z');
    stream
}

/// Reads messages until one of type `kind`; returns them all as (type, body).
fn read_until(stream: &mut TcpStream, kind: u8) -> Vec<(u8, Vec<u8>)> {
    let mut messages = Vec::new();
    loop {
        let mut header = [0u8; 5];
        stream.read_exact(&mut header).unwrap();
        let length = i32::from_be_bytes([header[1], header[2], header[3], header[4]]) as usize;
        let mut body = vec![0u8; length - 4];
        stream.read_exact(&mut body).unwrap();
        let done = header[0] == kind;
        messages.push((header[0], body));
        if done {
            return messages;
        }
    }
}

/// Whether the server closed the connection (after an error, if it sent one).
fn closed(stream: &mut TcpStream) -> bool {
    let mut rest = Vec::new();
    matches!(stream.read_to_end(&mut rest), Ok(_))
}

fn still_serving(server: &Running) {
    let mut client = server.client();
    let one: i32 = client.query_one("SELECT 1", &[]).unwrap().get(0);
    assert_eq!(one, 1);
}

#[test]
fn malformed_input_closes_only_its_connection() {
    let server = Running::start(ServerOptions::default());
    // Random bytes instead of a startup packet.
    let mut stream = TcpStream::connect(server.address).unwrap();
    stream
        .write_all(&[0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7])
        .unwrap();
    assert!(closed(&mut stream));
    // An oversized message after startup: FATAL, then the connection closes.
    let mut stream = raw_client(&server);
    let mut huge = vec![b'Q'];
    huge.extend_from_slice(&i32::MAX.to_be_bytes());
    stream.write_all(&huge).unwrap();
    let messages = read_until(&mut stream, b'E');
    assert_eq!(messages.last().unwrap().0, b'E');
    assert!(closed(&mut stream));
    // A Bind whose parameter runs past its end.
    let mut stream = raw_client(&server);
    stream
        .write_all(&frame(b'P', b"\0SELECT $1::int\0\0\0"))
        .unwrap();
    stream
        .write_all(&frame(b'B', &[0, 0, 0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff, 1]))
        .unwrap();
    assert!(closed(&mut stream));
    // An unknown message type, a negative length, and a truncated message.
    for bytes in [
        frame(b'~', b""),
        vec![b'Q', 0xff, 0xff, 0xff, 0xfe],
        vec![b'Q', 0, 0, 0, 40, b'S'],
    ] {
        let mut stream = raw_client(&server);
        stream.write_all(&bytes).unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        assert!(closed(&mut stream));
    }
    // A client that leaves in the middle of a COPY: nothing is loaded.
    let mut client = server.client();
    client.batch_execute("CREATE TABLE t (id int)").unwrap();
    let mut stream = raw_client(&server);
    stream
        .write_all(&frame(b'Q', b"COPY t FROM STDIN\0"))
        .unwrap();
    let messages = read_until(&mut stream, b'G');
    assert_eq!(messages.last().unwrap().0, b'G');
    stream.write_all(&frame(b'd', b"1\n2\n")).unwrap();
    drop(stream);
    std::thread::sleep(Duration::from_millis(100));
    let count: i64 = client
        .query_one("SELECT count(*) FROM t", &[])
        .unwrap()
        .get(0);
    assert_eq!(count, 0);
    still_serving(&server);
}

#[test]
fn binary_vectors_in_and_out() {
    let server = Running::start(ServerOptions::default());
    let mut client = server.client();
    client
        .batch_execute("CREATE TABLE items (id int, embedding vector(2))")
        .unwrap();
    let mut stream = raw_client(&server);
    // Parse with the parameter's type left to infer, Bind a binary vector (pgvector's
    // format: dims, unused, then float4s), ask for binary results.
    stream
        .write_all(&frame(
            b'P',
            b"\0INSERT INTO items VALUES (1, $1) RETURNING embedding\0\0\0",
        ))
        .unwrap();
    let mut vector = Vec::new();
    vector.extend_from_slice(&2i16.to_be_bytes());
    vector.extend_from_slice(&0i16.to_be_bytes());
    vector.extend_from_slice(&1.5f32.to_be_bytes());
    vector.extend_from_slice(&(-2f32).to_be_bytes());
    let mut bind = vec![0, 0, 0, 1, 0, 1, 0, 1];
    bind.extend_from_slice(&(vector.len() as i32).to_be_bytes());
    bind.extend_from_slice(&vector);
    bind.extend_from_slice(&[0, 1, 0, 1]);
    stream.write_all(&frame(b'B', &bind)).unwrap();
    stream.write_all(&frame(b'D', b"S\0")).unwrap();
    stream.write_all(&frame(b'E', b"\0\0\0\0\0")).unwrap();
    stream.write_all(&frame(b'S', b"")).unwrap();
    let messages = read_until(&mut stream, b'Z');
    let kinds: Vec<u8> = messages.iter().map(|(k, _)| *k).collect();
    assert_eq!(kinds, [b'1', b'2', b't', b'T', b'D', b'C', b'Z']);
    // The parameter's type: vector's OID.
    assert_eq!(messages[2].1[2..6], 16385u32.to_be_bytes());
    let row = &messages[4].1;
    assert_eq!(&row[6..], vector.as_slice());
    let text: String = client
        .query_one("SELECT embedding::text FROM items", &[])
        .unwrap()
        .get(0);
    assert_eq!(text, "[1.5,-2]");
}

#[test]
fn fifty_clients_at_once() {
    let server = Running::start(ServerOptions::default());
    let mut client = server.client();
    client
        .batch_execute("CREATE TABLE hits (client int, n int, embedding vector(2))")
        .unwrap();
    let config = server.config();
    let threads: Vec<_> = (0..50)
        .map(|id| {
            let config = config.clone();
            std::thread::spawn(move || {
                let mut client = postgres::Client::connect(&config, postgres::NoTls).unwrap();
                for n in 0..5 {
                    client
                        .execute(
                            "INSERT INTO hits VALUES ($1, $2, $3::text::vector)",
                            &[&id, &n, &format!("[{id},{n}]")],
                        )
                        .unwrap();
                }
                let mine: i64 = client
                    .query_one("SELECT count(*) FROM hits WHERE client = $1", &[&id])
                    .unwrap()
                    .get(0);
                assert_eq!(mine, 5);
                let nearest: i32 = client
                    .query_one(
                        "SELECT client FROM hits ORDER BY embedding <-> $1::text::vector LIMIT 1",
                        &[&format!("[{id},2]")],
                    )
                    .unwrap()
                    .get(0);
                assert_eq!(nearest, id);
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let total: i64 = client
        .query_one("SELECT count(*) FROM hits", &[])
        .unwrap()
        .get(0);
    assert_eq!(total, 250);
}

#[test]
fn the_connection_limit_refuses_extra_clients() {
    let server = Running::start(ServerOptions {
        max_connections: 2,
        ..ServerOptions::default()
    });
    let _a = server.client();
    let _b = server.client();
    let Err(error) = postgres::Client::connect(&server.config(), postgres::NoTls) else {
        panic!("a third client was accepted");
    };
    assert_eq!(error.code().unwrap().code(), "53300");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random and truncated message streams after startup never take the server down.
    #[test]
    fn random_messages_never_stop_the_server(kind in any::<u8>(), body in proptest::collection::vec(any::<u8>(), 0..64), cut in 0usize..80) {
        let server = fuzz_server();
        let mut stream = raw_client(server);
        let mut bytes = frame(kind, &body);
        bytes.truncate(cut.min(bytes.len()).max(1));
        let _ = stream.write_all(&bytes);
        let _ = stream.write_all(&frame(b'S', b""));
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest);
        still_serving(server);
    }
}

/// One server for every fuzz case.
fn fuzz_server() -> &'static Running {
    static SERVER: std::sync::OnceLock<Running> = std::sync::OnceLock::new();
    SERVER.get_or_init(|| Running::start(ServerOptions::default()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The frontend message decoder never panics and never reads past a message: any
    /// bytes give a message or an error.
    #[test]
    fn the_decoder_takes_any_bytes(kind in any::<u8>(), body in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = vec_shell::server::codec::decode(kind, &body);
        let _ = vec_shell::server::codec::decode_startup(&body);
        let _ = vec_shell::server::codec::read_message(&mut body.as_slice(), 1 << 20);
        let _ = vec_shell::server::codec::read_startup(&mut body.as_slice());
    }

    /// Well-formed Bind messages with arbitrary parameters decode to what was sent.
    #[test]
    fn bind_messages_round_trip(params in proptest::collection::vec(proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)), 0..8)) {
        let mut body = b"portal\0stmt\0".to_vec();
        body.extend_from_slice(&1i16.to_be_bytes());
        body.extend_from_slice(&1i16.to_be_bytes());
        body.extend_from_slice(&(params.len() as i16).to_be_bytes());
        for param in &params {
            match param {
                None => body.extend_from_slice(&(-1i32).to_be_bytes()),
                Some(bytes) => {
                    body.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
                    body.extend_from_slice(bytes);
                }
            }
        }
        body.extend_from_slice(&0i16.to_be_bytes());
        let decoded = vec_shell::server::codec::decode(b'B', &body).unwrap();
        let vec_shell::server::codec::Frontend::Bind { params: got, portal, statement, .. } = decoded else {
            panic!("not a Bind");
        };
        prop_assert_eq!(got, params);
        prop_assert_eq!(portal, "portal");
        prop_assert_eq!(statement, "stmt");
    }
}
