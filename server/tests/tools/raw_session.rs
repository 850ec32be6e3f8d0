//! One server in this process, served over an in-memory pipe, and the client's end of it as
//! JSON-RPC lines: what the fast tier's hand-written clients (tasks, a person answering
//! questions) speak through.

use prefect_mcp_server::mcp::McpServer;
use serde_json::Value;
use tokio::io::{
    AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines, ReadHalf, WriteHalf,
};

pub(crate) struct RawSession {
    write: WriteHalf<DuplexStream>,
    lines: Lines<BufReader<ReadHalf<DuplexStream>>>,
}

impl RawSession {
    /// Serve `server` on a fresh pipe; the client's end.
    pub(crate) fn serve(server: McpServer) -> Self {
        let (server_io, client_io) = tokio::io::duplex(1 << 20);
        tokio::spawn(async move {
            if let Ok(running) = rmcp::serve_server(server, server_io).await {
                let _ = running.waiting().await;
            }
        });
        let (read, write) = tokio::io::split(client_io);
        RawSession {
            write,
            lines: BufReader::new(read).lines(),
        }
    }

    pub(crate) async fn send(&mut self, message: Value) {
        let line = format!("{message}\n");
        self.write.write_all(line.as_bytes()).await.unwrap();
    }

    /// The next message the server wrote.
    pub(crate) async fn next(&mut self) -> Value {
        let line = self
            .lines
            .next_line()
            .await
            .unwrap()
            .expect("server closed");
        serde_json::from_str(&line).unwrap()
    }
}
