"""wechatpy 1.8.18 sends app messages and runs app group chats against Workhub, and a member
sees them through the native API."""
import json
import subprocess
import os
import urllib.request

import pytest
from wechatpy.exceptions import WeChatClientException

from test_wechatpy_directory import client_for


def _app(workhub, name):
    out = subprocess.run([os.environ["WORKHUB_BIN"], "app", "create", "--corpid", workhub["corpid"],
                          "--name", name, "--data-dir", workhub["data"]],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _admin_messages(workhub):
    """The message.new events of the administrator's stream, as (type, content) pairs."""
    login = json.dumps({"corpid": workhub["corpid"], "login": "admin", "password": "Admin-Passw0rd!",
                        "device_id": "pytest", "device_name": "pytest", "platform": "web"}).encode()
    req = urllib.request.Request(workhub["base"] + "/api/v1/auth/login", data=login,
                                 headers={"content-type": "application/json"})
    token = json.load(urllib.request.urlopen(req))["token"]
    req = urllib.request.Request(workhub["base"] + "/api/v1/sync?since=0&limit=5000",
                                 headers={"authorization": "Bearer " + token})
    events = json.load(urllib.request.urlopen(req))["events"]
    return [(e["data"]["type"], e["data"]["content"]) for e in events if e["kind"] == "message.new"]


def test_app_messages_and_group_chats(workhub):
    app = _app(workhub, "通知")
    c = client_for(workhub, app["secret"])
    directory = client_for(workhub)
    directory.user.create("zhouqi", "周七", department=[1], email="zhouqi@example.cn")

    sent = c.message.send_text(app["agentid"], ["admin", "ghost"], "服务器重启完成")
    assert sent["errcode"] == 0 and sent["invaliduser"] == "ghost" and sent["msgid"]
    c.message.send_markdown(app["agentid"], "admin", "**构建成功**")
    c.message.send_text_card(app["agentid"], "admin", "报销", "<div class=\"gray\">待审批</div>",
                             "https://example.com/r/1")
    got = _admin_messages(workhub)
    assert ("text", {"content": "服务器重启完成"}) in got
    assert ("markdown", {"content": "**构建成功**"}) in got
    assert any(t == "textcard" and m["title"] == "报销" for t, m in got)

    with pytest.raises(WeChatClientException) as e:
        c.message.send_text(app["agentid"], "nobody", "x")
    assert e.value.errcode == 81013

    chat = c.appchat.create(chat_id="ops2026", name="运维群", owner="admin", user_list=["admin", "zhouqi"])
    assert chat["chatid"] == "ops2026"
    info = c.appchat.get("ops2026")
    assert (info["name"], sorted(info["userlist"])) == ("运维群", ["admin", "zhouqi"])
    c.appchat.update("ops2026", name="运维值班群")
    assert c.appchat.get("ops2026")["name"] == "运维值班群"
    c.appchat.send_text("ops2026", "今晚发布")
    assert ("text", {"content": "今晚发布"}) in _admin_messages(workhub)
    with pytest.raises(WeChatClientException) as e:
        c.appchat.get("missing")
    assert e.value.errcode == 86003
