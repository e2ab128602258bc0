"""A real local time-stamping authority: OpenSSL's `openssl ts -reply` behind a small HTTP
endpoint, with a throwaway CA and TSA certificate made for the test run.

`mode` makes it misbehave the ways a real one can: `down` (503), `replay` (an earlier,
genuine answer for another hash) and `forged` (signed by a TSA of another CA).
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

OPENSSL_CONFIG = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {folder}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


class Authority:
    """A CA and its TSA certificate, on disk where `openssl ts` reads them."""

    def __init__(self, folder: Path, label: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        now = datetime.now(UTC)
        ca_key, tsa_key = (
            ec.generate_private_key(ec.SECP256R1()),
            ec.generate_private_key(ec.SECP256R1()),
        )
        self.ca = (
            x509.CertificateBuilder()
            .subject_name(_name(f"{label} test CA"))
            .issuer_name(_name(f"{label} test CA"))
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .sign(ca_key, hashes.SHA256())
        )
        self.tsa = (
            x509.CertificateBuilder()
            .subject_name(_name(f"{label} test TSA"))
            .issuer_name(self.ca.subject)
            .public_key(tsa_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
            )
            .sign(ca_key, hashes.SHA256())
        )
        (folder / "tsa.key").write_bytes(
            tsa_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        (folder / "tsa.pem").write_bytes(_pem(self.tsa))
        (folder / "chain.pem").write_bytes(_pem(self.ca))
        (folder / "serial").write_text("01\n")
        (folder / "openssl.cnf").write_text(OPENSSL_CONFIG.format(folder=folder))

    @property
    def trust_pem(self) -> bytes:
        """What a deployment configures (VECINOS_TSA_CERTIFICATE): the TSA and its CA."""
        return _pem(self.tsa) + _pem(self.ca)

    def reply(self, query: bytes) -> bytes:
        with tempfile.TemporaryDirectory() as scratch:
            request, response = Path(scratch) / "q.tsq", Path(scratch) / "r.tsr"
            request.write_bytes(query)
            subprocess.run(  # noqa: S603 - fixed arguments, our own files
                ["openssl", "ts", "-reply", "-config", str(self.folder / "openssl.cnf"),  # noqa: S607
                 "-queryfile", str(request), "-out", str(response)],
                check=True, capture_output=True, timeout=30,
            )  # fmt: skip
            return response.read_bytes()


class LocalTsa:
    """`with LocalTsa(folder) as tsa:` serves at `tsa.url` until the block ends."""

    def __init__(self, folder: Path) -> None:
        self.authority = Authority(folder / "genuine", "Genuine")
        self.impostor = Authority(folder / "impostor", "Impostor")
        self.mode = "ok"
        self.requests = 0
        self.last_answer: bytes | None = None
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tsa"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                query = self.rfile.read(int(self.headers["Content-Length"]))
                tsa.requests += 1
                if tsa.mode == "down":
                    self.send_response(503)
                    self.end_headers()
                    return
                answer = tsa.answer(query)
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_: object) -> None:
                return

        return Handler

    def answer(self, query: bytes) -> bytes:
        if self.mode == "replay" and self.last_answer is not None:
            return self.last_answer
        signer = self.impostor if self.mode == "forged" else self.authority
        answer = signer.reply(query)
        if self.mode == "ok":
            self.last_answer = answer
        return answer

    def __enter__(self) -> LocalTsa:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
