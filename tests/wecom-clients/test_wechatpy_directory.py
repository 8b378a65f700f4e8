"""wechatpy 1.8.18 (wechatpy.enterprise.WeChatClient), pointed at Workhub, manages the whole
directory: departments, members and tags, and sees WeCom's error codes."""
import pytest
from wechatpy.enterprise import WeChatClient
from wechatpy.exceptions import WeChatClientException


def client_for(workhub, secret=None):
    base = workhub["base"] + "/cgi-bin/"

    class LocalClient(WeChatClient):
        API_BASE_URL = base

        # wechatpy hard-codes WeCom's host for gettoken (see shared/wecom-api.md §13.1).
        def fetch_access_token(self):
            return self._fetch_access_token(url=self.API_BASE_URL + "gettoken",
                                            params={"corpid": self.corp_id, "corpsecret": self.secret})

    return LocalClient(workhub["corpid"], secret or workhub["secret"])


def test_departments_members_and_tags(workhub):
    c = client_for(workhub)
    rd = c.department.create("研发部", parent_id=1, order=10)["id"]
    backend = c.department.create("后端组", parent_id=rd)["id"]
    sales = c.department.create("Sales", parent_id=1, id=50)["id"]
    assert sales == 50
    tree = c.department.get()
    assert [d["id"] for d in tree][0] == 1
    assert {d["name"] for d in tree} >= {"研发部", "后端组", "Sales"}
    assert [d["id"] for d in c.department.get(rd)] == [rd, backend]
    c.department.update(sales, name="销售部")
    assert {d["name"] for d in c.department.get(sales)} == {"销售部"}

    c.user.create("zhangsan", "张三", department=[backend], position="工程师", mobile="13800138000",
                  email="zhangsan@example.cn", gender=1)
    c.user.create("lisi", "李四", department=[rd, sales], mobile="13900139000")
    user = c.user.get("zhangsan")
    assert (user["name"], user["department"], user["gender"], user["status"]) == ("张三", [backend], "1", 4)
    c.user.update("zhangsan", position="高级工程师", department=[backend, sales])
    assert c.user.get("zhangsan")["position"] == "高级工程师"

    in_rd = c.user.list(rd, fetch_child=True, simple=True)
    assert {u["userid"] for u in in_rd} == {"zhangsan", "lisi"}
    assert {u["userid"] for u in c.user.list(rd, fetch_child=False)} == {"lisi"}
    assert {u["userid"] for u in c.department.get_users(backend)} == {"zhangsan"}

    openid = c.user.convert_to_openid("zhangsan")["openid"]
    assert c.user.convert_to_user_id(openid) == "zhangsan"
    assert c.post("user/getuserid", data={"mobile": "13900139000"})["userid"] == "lisi"

    tag = c.tag.create("值班")["tagid"]
    c.tag.add_users(tag, ["zhangsan", "lisi", "ghost"])
    got = c.tag.get_users(tag)
    assert got["tagname"] == "值班"
    assert {u["userid"] for u in got["userlist"]} == {"zhangsan", "lisi"}
    c.tag.delete_users(tag, ["lisi"])
    assert {u["userid"] for u in c.tag.get_users(tag)["userlist"]} == {"zhangsan"}
    c.tag.update(tag, "夜班")
    assert [t["tagname"] for t in c.tag.list()] == ["夜班"]

    c.user.delete("lisi")
    c.user.batch_delete(["zhangsan"])
    c.tag.delete(tag)
    c.department.delete(backend)
    assert {d["id"] for d in c.department.get()} == {1, rd, sales}


def test_wecom_error_codes(workhub):
    c = client_for(workhub)
    dept = c.department.create("运维部", parent_id=1)["id"]
    c.user.create("wangwu", "王五", department=[dept], email="wangwu@example.cn")
    cases = [
        (lambda: c.department.delete(dept), 60005),             # still has members
        (lambda: c.department.delete(1), 60007),                # the root
        (lambda: c.department.create("x", parent_id=999), 60004),
        (lambda: c.department.update(1, parent_id=dept), 60007),
        (lambda: c.user.create("wangwu", "又一个", department=[dept], email="w2@example.cn"), 60102),
        (lambda: c.user.create("zhaoliu", "赵六", department=[dept], mobile="12345"), 60103),
        (lambda: c.user.create("zhaoliu", "赵六", department=[dept]), 60129),
        (lambda: c.user.create("zhaoliu", "赵六", department=[777], email="z@example.cn"), 60123),
        (lambda: c.user.get("nobody"), 60111),
        (lambda: c.tag.get_users(4242), 40068),
    ]
    for call, errcode in cases:
        with pytest.raises(WeChatClientException) as e:
            call()
        assert e.value.errcode == errcode, e.value
    sub = c.department.create("子部门", parent_id=dept)["id"]
    with pytest.raises(WeChatClientException) as e:
        c.department.update(dept, parent_id=sub)
    assert e.value.errcode == 60010  # a cycle


def test_expired_or_foreign_tokens_refresh_transparently(workhub):
    c = client_for(workhub)
    c.department.get()
    # A stale token (unknown to the server) answers 42001; wechatpy refetches and retries.
    stale = "A" * 64
    c.session.set(c.access_token_key, stale)
    c.expires_at = None  # wechatpy then uses the stored token until an errcode says otherwise
    assert c.access_token == stale
    assert c.department.get()[0]["id"] == 1
    assert c.access_token != stale, "wechatpy fetched a fresh token after 42001"


def test_batch_sync_user_from_a_csv_file(workhub):
    import io
    import time

    c = client_for(workhub)
    csv = "姓名,帐号,手机号,邮箱,所在部门\n" + "".join(f"批量{i},batch{i:03},137{i:08},,1\n" for i in range(30))
    media = c.media.upload("file", ("members.csv", io.BytesIO(csv.encode("utf-8")), "text/csv"))
    job = c.batch.sync_user(None, None, None, media["media_id"])["jobid"]
    for _ in range(100):
        result = c.batch.get_result(job)
        if result["status"] == 3:
            break
        time.sleep(0.05)
    assert (result["status"], result["type"], result["total"], result["percentage"]) == (3, "sync_user", 30, 100)
    assert all(r["errcode"] == 0 for r in result["result"])
    assert c.user.get("batch007")["name"] == "批量7"
    with pytest.raises(WeChatClientException) as e:
        c.batch.get_result("no-such-job")
    assert e.value.errcode == 40088


def test_batch_replace_party_builds_the_tree_and_keeps_staffed_departments(workhub):
    import io
    import time

    c = client_for(workhub)
    c.department.create("临时", parent_id=1, id=30)
    c.department.create("有人", parent_id=1, id=31)
    c.user.create("party_member", "部门成员", department=[31], email="party_member@acme.test")

    def run(csv):
        media = c.media.upload("file", ("departments.csv", io.BytesIO(csv.encode("utf-8")), "text/csv"))
        job = c.batch.replace_party(None, None, None, media["media_id"])["jobid"]
        for _ in range(100):
            result = c.batch.get_result(job)
            if result["status"] == 3:
                return result
            time.sleep(0.05)
        raise AssertionError("the job did not finish")

    result = run("部门名称,部门ID,父部门ID,排序\n华东,20,1,5\n上海,21,20,\n")
    assert (result["type"], result["percentage"]) == ("replace_party", 100)
    assert {(r["partyid"], r["action"], r["errcode"]) for r in result["result"]} >= {(20, 1, 0), (21, 1, 0)}
    ids = {d["id"]: d["parentid"] for d in c.department.get()}
    assert ids[21] == 20 and ids[20] == 1
    assert 30 not in ids, "an empty department absent from the file is deleted"
    assert 31 in ids, "a department with members stays"

    # The same file again changes nothing; a move shows as action 4.
    result = run("部门名称,部门ID,父部门ID,排序\n华东,20,1,5\n上海,21,20,\n")
    assert [r for r in result["result"] if r["partyid"] in (20, 21)] == []
    result = run("部门名称,部门ID,父部门ID,排序\n华东,20,1,5\n上海,21,1,\n")
    assert [(r["partyid"], r["action"]) for r in result["result"] if r["partyid"] == 21] == [(21, 4)]


def test_batch_jobs_push_an_encrypted_batch_job_result_that_wechatpy_reads(workhub):
    import io
    import queue
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from urllib.parse import parse_qs, urlparse

    from wechatpy.enterprise import parse_message
    from wechatpy.enterprise.crypto import WeChatCrypto

    received = queue.Queue()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.put((self.path, body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        token, key = "Tok3n", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
        url = f"http://127.0.0.1:{server.server_port}/wecom/callback"
        c = client_for(workhub)
        csv = "姓名,帐号,邮箱,所在部门\n回调,callback01,callback01@acme.test,1\n"
        media = c.media.upload("file", ("members.csv", io.BytesIO(csv.encode("utf-8")), "text/csv"))
        job = c.batch.sync_user(url, token, key, media["media_id"])["jobid"]

        path, body = received.get(timeout=10)
        query = {k: v[0] for k, v in parse_qs(urlparse(path).query).items()}
        crypto = WeChatCrypto(token, key, workhub["corpid"])
        plain = crypto.decrypt_message(body, query["msg_signature"], query["timestamp"], query["nonce"])
        event = parse_message(plain)
        assert (event.event, event.job_id, event.job_type) == ("batch_job_result", job, "sync_user")
        assert event.batch_job["ErrCode"] == "0"

        with pytest.raises(WeChatClientException) as e:
            c.batch.sync_user(url, token, "too-short", media["media_id"])
        assert e.value.errcode == 40057
    finally:
        server.shutdown()
