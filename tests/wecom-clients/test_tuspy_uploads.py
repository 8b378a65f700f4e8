"""tuspy 1.1.0, a real tus 1.0 client, uploads to Workhub in chunks with checksums, stops half-way,
and a second uploader resumes from the server's offset; the downloaded file is identical."""
import io
import json
import os
import urllib.request

from tusclient import client


def _token(workhub):
    login = json.dumps({"corpid": workhub["corpid"], "login": "admin", "password": "Admin-Passw0rd!",
                        "device_id": "tuspy", "device_name": "tuspy", "platform": "desktop"}).encode()
    req = urllib.request.Request(workhub["base"] + "/api/v1/auth/login", data=login,
                                 headers={"content-type": "application/json"})
    return json.load(urllib.request.urlopen(req))["token"]


def test_resumable_upload_with_checksums(workhub):
    token = _token(workhub)
    auth = {"Authorization": "Bearer " + token}
    data = os.urandom(256 * 1024) + "结尾".encode()
    tus = client.TusClient(workhub["base"] + "/api/v1/uploads", headers=auth)

    first = tus.uploader(file_stream=io.BytesIO(data), chunk_size=64 * 1024,
                         metadata={"filename": "季度报告.bin", "filetype": "application/octet-stream"},
                         upload_checksum=True)
    first.upload(stop_at=128 * 1024)
    assert first.offset == 128 * 1024
    url = first.url

    # A new client (as after a page reload or a crash) asks the server where to go on.
    resumed = client.TusClient(workhub["base"] + "/api/v1/uploads", headers=auth).uploader(
        file_stream=io.BytesIO(data), url=url, chunk_size=64 * 1024, upload_checksum=True)
    assert resumed.get_offset() == 128 * 1024
    resumed.upload()
    assert resumed.offset == len(data)

    head = urllib.request.Request(url, method="HEAD", headers={**auth, "Tus-Resumable": "1.0.0"})
    file_id = urllib.request.urlopen(head).headers["Workhub-File-Id"]
    assert file_id
    got = urllib.request.urlopen(urllib.request.Request(
        workhub["base"] + "/api/v1/files/" + file_id, headers=auth)).read()
    assert got == data
