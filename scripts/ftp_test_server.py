#!/usr/bin/env python3
"""A real FTP server on 127.0.0.1 for amfora's fetch tests and benchmark (pyftpdlib).

Prints one JSON line on stdout once it listens: {"port": N, "ca": "/path/ca.pem"}.
Exits when its stdin closes, so a test that dies cannot leave it running.

  --tls none|explicit|implicit   explicit: AUTH TLS required on control and data (PROT P)
  --drop NAME:BYTES[:TIMES]      break the data connection of RETR NAME after BYTES bytes
  --replace-on-drop              and replace NAME on the server (new bytes, same size) right then
  --stall NAME:BYTES:SECONDS      freeze the whole server once after BYTES bytes of RETR NAME
  --grow NAME:LISTINGS           append to NAME before each of the next LISTINGS listings
  --no-mlsd / --no-rest          behave like an old server without MLSD / REST
  --empty-reply CODE             answer a listing of an empty directory with CODE (450, 550)
  --connections FILE             append a line to FILE for every control connection (and every upload drop)
  --writable                     let the user store, rename and delete files (uploads)
  --drop-upload PART:BYTES[:TIMES]  break the data connection of a STOR whose file name contains
                                 PART once BYTES bytes have arrived (TIMES times, default 1)
Only ever binds to 127.0.0.1. Needs pyftpdlib, pyOpenSSL and cryptography (scripts/setup.sh ftp).
"""
import argparse
import datetime
import ipaddress
import json
import logging
import os
import sys
import tempfile
import threading
import time

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer


def make_certificates(directory):
    """A throwaway CA and a server certificate for 127.0.0.1/localhost signed by it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "amfora test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    ca_path = os.path.join(directory, "ca.pem")
    server_path = os.path.join(directory, "server.pem")
    with open(ca_path, "wb") as f:
        f.write(ca.public_bytes(pem))
    with open(server_path, "wb") as f:
        f.write(cert.public_bytes(pem))
        f.write(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return ca_path, server_path


class DroppingProducer:
    """Hands out at most `limit` bytes of a file, then fails like a broken connection
    (and, if asked, lets the file be replaced on the server right then)."""

    def __init__(self, inner, limit, on_drop=None):
        self.inner, self.limit, self.sent, self.on_drop = inner, limit, 0, on_drop

    def more(self):
        if self.sent >= self.limit:
            if self.on_drop:
                self.on_drop()
            raise OSError(104, "simulated connection drop")
        data = self.inner.more()[: self.limit - self.sent]
        self.sent += len(data)
        return data


class StallingProducer:
    """Hands out `limit` bytes, then freezes the server once: a stalled data connection.
    The stream itself stays whole (what is cut off a chunk is sent after the stall)."""

    def __init__(self, inner, limit, seconds):
        self.inner, self.limit, self.seconds, self.sent, self.pending = inner, limit, seconds, 0, b""

    def more(self):
        if self.seconds and self.sent >= self.limit:
            time.sleep(self.seconds)  # blocks the single-threaded server, control connection too
            self.seconds = 0
        data, self.pending = self.pending or self.inner.more(), b""
        if self.seconds and self.sent + len(data) > self.limit:
            cut = self.limit - self.sent
            data, self.pending = data[:cut], data[cut:]
        self.sent += len(data)
        return data


def handler_class(args, base):
    drops = {}
    if args.drop:
        name, limit, *times = args.drop.split(":")
        drops[name] = [int(limit), int(times[0]) if times else 1]
    stalls = {}
    if args.stall:
        name, limit, seconds = args.stall.split(":")
        stalls[name] = (int(limit), float(seconds))
    grows = {}
    if args.grow:
        name, listings = args.grow.split(":")
        grows[name] = int(listings)

    class Handler(base):
        auth_failed_timeout = 0.05  # no 3 s penalty for a wrong password in tests

        def on_connect(self):
            if args.connections:
                with open(args.connections, "a") as f:
                    f.write("connect\n")

        def handle(self):
            if args.tls == "implicit":
                self.secure_connection(self.ssl_context)  # TLS before the banner
            super().handle()

        def push_dtp_data(self, data, isproducer=False, file=None, cmd=None):
            name = os.path.basename(file.name) if file is not None else None
            if cmd == "RETR" and name in drops and drops[name][1] > 0:
                drops[name][1] -= 1
                path = file.name

                def replace():
                    size = os.path.getsize(path)
                    with open(path, "wb") as f:
                        f.write(os.urandom(size))
                    os.utime(path, (time.time() + 5, time.time() + 5))  # a later upload

                producer = DroppingProducer(data, drops[name][0], replace if args.replace_on_drop else None)
                # file=None keeps pyftpdlib from sendfile(), which would bypass the producer.
                return super().push_dtp_data(producer, True, None, cmd)
            if cmd == "RETR" and name in stalls:
                limit, seconds = stalls.pop(name)
                return super().push_dtp_data(StallingProducer(data, limit, seconds), True, None, cmd)
            return super().push_dtp_data(data, isproducer, file, cmd)

        def grow(self, path):
            for name in list(grows):
                if grows[name] > 0:
                    grows[name] -= 1
                    with open(os.path.join(path, name), "ab") as f:
                        f.write(b"x" * 1000)

        def empty_reply(self, path):
            if args.empty_reply and not os.listdir(path):
                self.respond(f"{args.empty_reply} No files found.")
                return True
            return False

        def ftp_MLSD(self, path):
            if args.no_mlsd:
                self.respond("500 Command \"MLSD\" not understood.")
                return
            self.grow(path)
            if self.empty_reply(path):
                return
            return super().ftp_MLSD(path)

        def ftp_NLST(self, path):
            self.grow(path)
            if self.empty_reply(path):
                return
            return super().ftp_NLST(path)

        def ftp_REST(self, line):
            if args.no_rest:
                self.respond("502 Command \"REST\" not implemented.")
                return
            return super().ftp_REST(line)

    if args.drop_upload:
        part, limit, *times = args.drop_upload.split(":")
        upload_drop = [part, int(limit), int(times[0]) if times else 1]

        class DroppingDTP(base.dtp_handler):
            # handle_read_event, not handle_read: TLS reads go through the SSL mixin's event handler.
            def handle_read_event(self):
                name = os.path.basename(self.file_obj.name) if self.file_obj is not None else ""
                if (upload_drop[2] > 0 and upload_drop[0] in name
                        and self.get_transmitted_bytes() >= upload_drop[1]):
                    upload_drop[2] -= 1
                    if args.connections:
                        with open(args.connections, "a") as f:
                            f.write(f"drop {name}\n")
                    self._resp = ("426 Simulated connection drop; transfer aborted.", logging.debug)
                    self.close()
                    return
                super().handle_read_event()

        Handler.dtp_handler = DroppingDTP
    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", required=True)
    p.add_argument("--user", default="amfora")
    p.add_argument("--password", default="secret")
    p.add_argument("--tls", choices=["none", "explicit", "implicit"], default="explicit")
    p.add_argument("--certdir")
    p.add_argument("--drop")
    p.add_argument("--replace-on-drop", action="store_true")
    p.add_argument("--grow")
    p.add_argument("--stall")
    p.add_argument("--no-mlsd", action="store_true")
    p.add_argument("--no-rest", action="store_true")
    p.add_argument("--connections")
    p.add_argument("--writable", action="store_true")
    p.add_argument("--drop-upload")
    p.add_argument("--empty-reply", choices=["450", "550"])
    p.add_argument("--buffer", type=int, default=65536, help="bytes per send (bigger for the benchmark)")
    args = p.parse_args()

    # pyftpdlib logs the simulated drops as exceptions; only real trouble is wanted here.
    logging.basicConfig(level=logging.CRITICAL, stream=sys.stderr)
    ca = None
    if args.tls == "none":
        base = FTPHandler
    else:
        from pyftpdlib.handlers import TLS_FTPHandler
        certdir = args.certdir or tempfile.mkdtemp(prefix="amfora-ftp-certs-")
        ca, server_pem = make_certificates(certdir)
        base = TLS_FTPHandler
        base.certfile = server_pem
        base.tls_control_required = True
        base.tls_data_required = True
    Handler = handler_class(args, base)
    authorizer = DummyAuthorizer()
    authorizer.add_user(args.user, args.password, args.root, perm="elradfmw" if args.writable else "elr")
    Handler.authorizer = authorizer
    Handler.banner = "amfora test server ready."
    Handler.dtp_handler.ac_out_buffer_size = args.buffer
    from pyftpdlib.handlers.ftp.producers import FileProducer
    FileProducer.buffer_size = args.buffer

    server = FTPServer(("127.0.0.1", 0), Handler)
    port = server.socket.getsockname()[1]
    print(json.dumps({"port": port, "ca": ca}), flush=True)

    def exit_when_stdin_closes():
        try:
            while sys.stdin.buffer.read(1):
                pass
        finally:
            os._exit(0)

    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    server.serve_forever(handle_exit=False)


if __name__ == "__main__":
    main()
