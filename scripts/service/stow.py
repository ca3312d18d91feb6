#!/usr/bin/python3
"""Send DICOM files to a DICOMweb server by STOW-RS (multipart/related; type="application/dicom").

usage: stow.py <base-url e.g. http://127.0.0.1:8042/dicomweb> <key> <file|dir>... [--batch N]
Prints one line per request (HTTP status, stored, failed) and exits 0 when every request got 200.
Standard library only, so it runs wherever python3 does.
"""
import http.client, os, sys, uuid, urllib.parse, json


def files_of(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p, followlinks=True):
                for n in sorted(names):
                    yield os.path.join(root, n)
        else:
            yield p


def stow(base, key, files):
    boundary = "stow-" + uuid.uuid4().hex
    chunks = []
    for f in files:
        with open(f, "rb") as fh:
            data = fh.read()
        chunks.append(f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n".encode() + data + b"\r\n")
    body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
    url = urllib.parse.urlparse(base.rstrip("/") + "/studies")
    conn = (http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection)(url.hostname, url.port, timeout=300)
    conn.request("POST", url.path, body, {
        "Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}',
        "Accept": "application/dicom+json",
        "Authorization": f"Bearer {key}",
    })
    r = conn.getresponse()
    payload = r.read()
    conn.close()
    stored = failed = 0
    try:
        doc = json.loads(payload)
        stored = len(doc.get("00081199", {}).get("Value", []))
        failed = len(doc.get("00081198", {}).get("Value", []))
    except ValueError:
        pass
    return r.status, stored, failed, payload


def main(argv):
    batch = 50
    if "--batch" in argv:
        i = argv.index("--batch")
        batch = int(argv[i + 1])
        del argv[i:i + 2]
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    base, key, paths = argv[0], argv[1], argv[2:]
    files = list(files_of(paths))
    ok = True
    for i in range(0, len(files), batch):
        status, stored, failed, payload = stow(base, key, files[i:i + batch])
        print(f"HTTP {status}: {stored} stored, {failed} failed")
        if status != 200:
            ok = False
            print(payload[:2000].decode("utf-8", "replace"), file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
