// Pure client logic, without a server or a browser: the USCC check character, the device name
// summary, and the build's determinism (check-fresh.sh depends on it).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles one TypeScript module of src/ and imports it. */
async function load(path) {
  const out = await build({
    entryPoints: [join(web, path)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'silent',
  });
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
}

test('USCC check character (GB 32100-2015)', async () => {
  const { usccProblem, usccCheckChar } = await load('src/uscc.ts');
  assert.equal(usccProblem('91350100M000100Y43'), null);
  assert.equal(usccCheckChar('91350100M000100Y4'), '3');
  assert.equal(usccProblem('91350100M000100Y44'), 'check');
  assert.equal(usccProblem('91350100M000100Y4'), 'length');
  assert.equal(usccProblem('91350100M000100I43'), 'charset', 'I is not in the charset');

  // Any single-character substitution is caught: 31 is prime and no weight is 0 mod 31.
  const charset = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const code = '91350100M000100Y43';
  for (let i = 0; i < 17; i++) {
    for (const ch of charset) {
      if (ch === code[i]) continue;
      const changed = code.slice(0, i) + ch + code.slice(i + 1);
      assert.equal(usccProblem(changed), 'check', changed);
    }
  }
  // Generated codes validate.
  for (const prefix of ['91110108MA01A1B2C', '12100000400000024', '92350102MA2XYW123']) {
    const check = usccCheckChar(prefix);
    assert.ok(check, prefix);
    assert.equal(usccProblem(prefix + check), null, prefix + check);
  }
});

test('device name summarises the user agent', async () => {
  const { deviceName } = await load('src/storage.ts');
  assert.equal(
    deviceName('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'),
    'Chrome 126 · Windows',
  );
  assert.equal(
    deviceName('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15'),
    'Safari 17 · macOS',
  );
  assert.equal(
    deviceName('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'),
    'Safari 17 · iOS',
  );
  assert.equal(deviceName('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'), 'Firefox 128 · Linux');
  assert.equal(
    deviceName('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0'),
    'Edge 126 · Windows',
  );
});

const dept = (id, parentid, name, order = 0) => ({ id, parentid, name, order });
const person = (userid, name, department, extra = {}) => ({ userid, name, department, status: 1, ...extra });

test('department tree: sibling order, subtrees, ancestors, counts, member lists, search', async () => {
  const { buildTree, subtreeIds, ancestors, flatten, memberCounts, membersOf, matchMember, upsert } = await load('src/tree.ts');
  const tree = buildTree([
    dept(4, 2, '前端组', 5),
    dept(1, 0, 'Acme'),
    dept(3, 2, '后端组', 10), // larger order first
    dept(2, 1, '研发部'),
    dept(5, 1, '销售部', 1), // before 研发部 (order 0)
  ]);
  assert.deepEqual(tree.roots.map((d) => d.id), [1]);
  assert.deepEqual(tree.children.get(1).map((d) => d.id), [5, 2]);
  assert.deepEqual(tree.children.get(2).map((d) => d.id), [3, 4]);
  assert.deepEqual([...subtreeIds(tree, 2)].sort(), [2, 3, 4]);
  assert.deepEqual(ancestors(tree, 4), [2, 1]);
  assert.deepEqual(flatten(tree).map((x) => `${x.dept.id}@${x.depth}`), ['1@0', '5@1', '2@1', '3@2', '4@2']);

  const members = [
    person('zhang', '张三', [3], { alias: 'Sam', position: '后端工程师' }),
    person('li', '李四', [2, 4]), // in a parent and its child: counted once
    person('wang', '王五', [5]),
  ];
  const counts = memberCounts(tree, members);
  assert.deepEqual(counts.get(2), { direct: 1, total: 2 });
  assert.deepEqual(counts.get(1), { direct: 0, total: 3 });
  assert.deepEqual(counts.get(4), { direct: 1, total: 1 });
  assert.deepEqual(membersOf(tree, members, 2, false).map((m) => m.userid), ['li']);
  assert.deepEqual(membersOf(tree, members, 2, true).map((m) => m.userid).sort(), ['li', 'zhang']);
  for (const q of ['张', 'ZHANG', 'sam', '工程', '']) assert.ok(matchMember(members[0], q), q);
  assert.equal(matchMember(members[0], 'nobody'), false);
  assert.deepEqual(upsert([{ id: 1, v: 'a' }], { id: 1, v: 'b' }, (x) => x.id), [{ id: 1, v: 'b' }]);
  assert.equal(upsert([{ id: 1 }], { id: 2 }, (x) => x.id).length, 2);

  // Bad data (a cycle, a missing parent) does not hang.
  const odd = buildTree([dept(1, 0, 'Acme'), dept(7, 8, 'a'), dept(8, 7, 'b'), dept(9, 42, 'orphan')]);
  assert.ok(odd.roots.some((d) => d.id === 9), 'an orphan is shown as a root');
  assert.deepEqual([...subtreeIds(odd, 7)].sort(), [7, 8]);
});

test('placing a department among siblings: an order strictly between its neighbours, else renumbered', async () => {
  const { buildTree, placeAt, ORDER_GAP } = await load('src/tree.ts');
  /** Applies a placement to `siblings` and returns the ids in display order, moved one included. */
  const after = (siblings, moved, place) => {
    const orders = new Map(place.renumber.map((r) => [r.id, r.order]));
    const list = [...siblings.map((d) => ({ ...d, order: orders.get(d.id) ?? d.order })), { ...moved, order: place.order }];
    return buildTree([dept(1, 0, 'Acme'), ...list]).children.get(1).map((d) => d.id);
  };
  const check = (siblings, moved, index, label) => {
    const place = placeAt(siblings, index, moved.order);
    const ids = siblings.map((d) => d.id);
    ids.splice(index, 0, moved.id);
    assert.deepEqual(after(siblings, moved, place), ids, label);
    assert.ok(place.order >= 0 && place.renumber.every((r) => r.order >= 0), `${label}: orders stay non-negative`);
    return place;
  };

  // A gap: one value, nothing renumbered.
  const spaced = [dept(2, 1, 'a', 300), dept(3, 1, 'b', 200), dept(4, 1, 'c', 100)];
  const moved = dept(9, 1, 'x', 0);
  assert.deepEqual(check(spaced, moved, 0, 'top'), { order: 300 + ORDER_GAP, renumber: [] });
  assert.deepEqual(check(spaced, moved, 1, 'between a and b'), { order: 250, renumber: [] });
  assert.deepEqual(check(spaced, dept(9, 1, 'x', 150), 2, 'its own order already fits'), { order: 150, renumber: [] });
  assert.deepEqual(check(spaced, moved, 3, 'bottom: order 0 fits below 100'), { order: 0, renumber: [] });
  assert.deepEqual(check(spaced, dept(9, 1, 'x', 500), 3, 'bottom, from above'), { order: 0, renumber: [] });

  // Every order 0 (departments made in the UI): numbered afresh, the moved one included.
  const flat = [dept(2, 1, 'a'), dept(3, 1, 'b'), dept(4, 1, 'c')];
  for (let i = 0; i <= flat.length; i++) {
    const place = check(flat, moved, i, `all zero, index ${i}`);
    if (i === 0) assert.deepEqual(place, { order: ORDER_GAP, renumber: [] }, 'the top needs no renumbering');
    else assert.ok(place.renumber.length > 0, `index ${i} renumbers`);
  }
  // Adjacent orders and ties: renumbered; only siblings whose order changes are listed.
  const tight = [dept(2, 1, 'a', 400), dept(3, 1, 'b', 300), dept(4, 1, 'c', 299), dept(5, 1, 'd', 100)];
  const place = check(tight, moved, 2, 'between 300 and 299');
  assert.ok(place.renumber.length > 0);
  for (const r of place.renumber) assert.notEqual(r.order, tight.find((d) => d.id === r.id).order, `${r.id}: only changes are sent`);
  check([dept(2, 1, 'a', 1)], moved, 1, 'below order 1');
  check([dept(2, 1, 'a', 5), dept(3, 1, 'b', 5)], moved, 1, 'between a tie');
  check([dept(2, 1, 'a', -3)], moved, 1, 'below a negative order');
  // No siblings: the order stays.
  assert.deepEqual(placeAt([], 0, 7), { order: 7, renumber: [] });
});

test('org chart layout: top-down, parents centred over children, no overlaps', async () => {
  const { buildTree, memberCounts } = await load('src/tree.ts');
  const { layoutOrgChart, fitText, textWidth, NODE_W, NODE_H } = await load('src/orgchart.ts');
  const tree = buildTree([dept(1, 0, 'Acme'), dept(2, 1, '研发部', 2), dept(3, 2, '后端组'), dept(4, 2, '前端组'), dept(5, 1, '销售部', 1)]);
  const counts = memberCounts(tree, [person('a', 'A', [3]), person('b', 'B', [5])]);
  const chart = layoutOrgChart(tree, counts, (id) => tree.byId.get(id).name);
  const at = new Map(chart.nodes.map((n) => [n.id, n]));
  assert.equal(chart.nodes.length, 5);
  assert.equal(chart.edges.length, 4);
  assert.ok(at.get(1).y < at.get(2).y && at.get(2).y < at.get(3).y, 'levels go down');
  assert.equal(at.get(2).y, at.get(5).y);
  const centre = (n) => n.x + NODE_W / 2;
  assert.equal(centre(at.get(2)), (centre(at.get(3)) + centre(at.get(4))) / 2, 'a parent is centred over its children');
  assert.ok(at.get(2).x < at.get(5).x, '研发部 (larger order) left of 销售部');
  assert.equal(at.get(1).count, 2);
  assert.equal(at.get(2).count, 1);
  for (const a of chart.nodes) {
    assert.ok(a.x >= 0 && a.y >= 0 && a.x + NODE_W <= chart.width && a.y + NODE_H <= chart.height, `node ${a.id} inside`);
    for (const b of chart.nodes) {
      if (a.id < b.id && a.y === b.y) assert.ok(Math.abs(a.x - b.x) >= NODE_W, `${a.id} and ${b.id} overlap`);
    }
  }
  for (const e of chart.edges) assert.match(e.d, /^M[\d.]+ [\d.]+V[\d.]+H[\d.]+V[\d.]+$/);
  assert.equal(fitText('研发部', 100), '研发部');
  const cut = fitText('华东区域销售中心与华南区域销售中心', 100);
  assert.ok(cut.endsWith('…') && textWidth(cut) <= 100, cut);
});

test('the build is deterministic and has exactly three files', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'workhub-web-build-'));
  try {
    for (const run of ['a', 'b']) execFileSync(process.execPath, [join(web, 'build.mjs'), '--outdir', join(tmp, run)]);
    const files = readdirSync(join(tmp, 'a')).sort();
    assert.deepEqual(files, ['app.css', 'app.js', 'index.html']);
    for (const f of files) assert.ok(readFileSync(join(tmp, 'a', f)).equals(readFileSync(join(tmp, 'b', f))), `${f} differs between builds`);
    const html = readFileSync(join(tmp, 'a', 'index.html'), 'utf8');
    assert.match(html, /<script defer src="\/app\.js"><\/script>/);
    assert.match(html, /<link rel="stylesheet" href="\/app\.css">/);
    assert.doesNotMatch(html + readFileSync(join(tmp, 'a', 'app.css'), 'utf8'), /https?:\/\/(?!www\.w3\.org)/, 'no network assets');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('messages: merging, pending sends, list order, mentions', async () => {
  const { mergeMessages, unconfirmed, withMessage, withRead, withRecall, mentionAt, mentionsIn, newClientId, unreadOf } =
    await load('src/chat.ts');
  const msg = (id, seq, extra = {}) => ({
    id, conversation_id: 'c1', seq, sender: 'bob', client_msg_id: `cm-${id}`, type: 'text',
    content: { content: id }, mentions: [], reply_to: null, recalled: false, created_at: 1000 + seq, ...extra,
  });

  // One copy per id, by seq, whatever the order of arrival; a recall is not undone by a stale copy.
  const merged = mergeMessages([msg('b', 2), msg('c', 3)], [msg('a', 1), msg('c', 3)]);
  assert.deepEqual(merged.map((m) => m.id), ['a', 'b', 'c']);
  const recalled = mergeMessages(merged, [msg('b', 2, { recalled: true })]);
  assert.equal(recalled[1].recalled, true);
  assert.equal(mergeMessages(recalled, [msg('b', 2)])[1].recalled, true, 'an older copy does not un-recall');

  // Reactions: an event's copy (no `reactions`) keeps the known tally; a page's copy replaces it.
  const { withReactions, senderLabel, conversationName } = await load('src/chat.ts');
  const thumbs = [{ emoji: '👍', users: ['alice'] }];
  const reacted = withReactions(merged, 'c', thumbs);
  assert.deepEqual(reacted[2].reactions, thumbs);
  assert.equal(withReactions(merged, 'zz', thumbs), merged, 'an unknown message: unchanged');
  assert.deepEqual(mergeMessages(reacted, [msg('c', 3)])[2].reactions, thumbs, 'kept through an event copy');
  assert.deepEqual(mergeMessages(reacted, [msg('c', 3, { reactions: [] })])[2].reactions, [], 'replaced by a page copy');

  // App senders: named from GET /apps when known, else the app conversation's name or the id.
  const names = (id) => ({ bob: '鲍勃', 'app:7': '告警' })[id] ?? id;
  const group = { kind: 'group', name: '运维', owner: 'alice' };
  assert.equal(senderLabel('app:7', group, names), '告警');
  assert.equal(senderLabel('app:8', group, names), '应用 8');
  assert.equal(senderLabel('app:8', { kind: 'app', name: '打卡', owner: 'app:8' }, names), '打卡');
  assert.equal(senderLabel('robot:构建', group, names), '构建');
  assert.equal(conversationName({ kind: 'app', name: '', owner: 'app:7' }, names), '告警');
  assert.equal(conversationName({ kind: 'app', name: '', owner: 'app:9' }, names), '应用 9');

  // A pending send disappears once the server's copy (same client id, from me) is there.
  const p = { message: msg('', 0, { sender: 'alice', client_msg_id: 'x1' }), state: 'sending', error: null };
  assert.equal(unconfirmed([p], merged, 'alice').length, 1);
  assert.equal(unconfirmed([p], [...merged, msg('d', 4, { sender: 'alice', client_msg_id: 'x1' })], 'alice').length, 0);
  assert.equal(unconfirmed([p], [msg('e', 5, { client_msg_id: 'x1' })], 'alice').length, 1, 'same client id from someone else');

  // The list: a message moves its conversation to the top of its group (pinned stay first).
  const conv = (id, pinned = false, last_seq = 1, read_seq = 1) => ({
    id, kind: 'direct', name: '', peer: 'bob', owner: '', announcement: '', member_count: 2, member_limit: 500,
    my_role: 'member', last_seq, read_seq, unread: last_seq - read_seq, pinned, muted: false, last_message: null, updated_at: 0,
  });
  const list = [conv('p', true), conv('a'), conv('b')];
  const moved = withMessage(list, { ...msg('n', 2), conversation_id: 'b' }, 'alice');
  assert.deepEqual(moved.map((c) => c.id), ['p', 'b', 'a']);
  assert.equal(moved[1].unread, 1);
  assert.equal(moved[1].last_message.id, 'n');
  const mine = withMessage(moved, { ...msg('o', 3, { sender: 'alice' }), conversation_id: 'b' }, 'alice');
  assert.equal(mine[1].unread, 0, 'my own message marks the conversation read up to it');
  assert.equal(withMessage(list, { ...msg('z', 1), conversation_id: 'unknown' }, 'alice'), null, 'unknown: refetch');
  assert.equal(withRead(moved, 'b', 2)[1].unread, 0);
  assert.equal(unreadOf(conv('x', false, 5, 2)), 3);
  const withLast = [{ ...conv('b'), last_message: msg('n', 2) }];
  assert.equal(withRecall(withLast, { ...msg('n', 2, { recalled: true }), conversation_id: 'b' })[0].last_message.recalled, true);
  assert.equal(withRecall(withLast, { ...msg('n', 2, { recalled: true }), conversation_id: 'other' })[0].last_message.recalled, false,
    'another conversation is left alone');

  // @mentions: the word at the caret, and only tags still in the text are sent.
  assert.deepEqual(mentionAt('hi @zh', 6), { start: 3, query: 'zh' });
  assert.deepEqual(mentionAt('@', 1), { start: 0, query: '' });
  assert.equal(mentionAt('mail a@b', 8), null, 'an @ inside a word is not a mention');
  const picked = [{ userid: 'bob', label: '鲍勃' }, { userid: '@all', label: '所有人' }, { userid: 'carol', label: 'Carol' }];
  assert.deepEqual(mentionsIn('@鲍勃 @所有人 看一下', picked), ['bob', '@all']);

  assert.match(newClientId(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

  // Day separators and list times (Chinese is the default language).
  const { dayLabel, listTime, daysAgo } = await load('src/chat.ts');
  const now = new Date(2026, 10, 24, 9, 30).getTime();
  assert.equal(dayLabel(new Date(2026, 10, 24, 0, 5).getTime(), now), '今天');
  assert.equal(dayLabel(new Date(2026, 10, 23, 23, 59).getTime(), now), '昨天');
  assert.equal(dayLabel(new Date(2026, 10, 3, 12).getTime(), now), '11月3日');
  assert.equal(dayLabel(new Date(2025, 0, 3, 12).getTime(), now), '2025年1月3日');
  assert.equal(listTime(new Date(2026, 10, 24, 8, 5).getTime(), now), '08:05');
  assert.equal(listTime(new Date(2026, 10, 23, 8, 5).getTime(), now), '昨天');
  assert.equal(daysAgo(new Date(2026, 2, 28, 12).getTime(), new Date(2026, 2, 30, 1).getTime()), 2);

  // File sizes on file cards and uploads.
  const { humanSize } = await load('src/chat.ts');
  assert.equal(humanSize(0), '0 B');
  assert.equal(humanSize(1023), '1023 B');
  assert.equal(humanSize(1536), '1.5 KB');
  assert.equal(humanSize(3 * 1024 * 1024), '3.0 MB');
  assert.equal(humanSize(10.4 * 1024 * 1024), '10 MB');
  assert.equal(humanSize(3 * 1024 ** 3), '3.0 GB');
  assert.equal(humanSize(-1), '');
});

test('messages: markdown subset, links and code highlighting make no HTML', async () => {
  const { parseMarkdown, parseInline, linkify, highlight, safeUrl } = await load('src/markup.ts');
  assert.equal(safeUrl('javascript:alert(1)'), null);
  assert.equal(safeUrl('https://example.com/a?b=1'), 'https://example.com/a?b=1');

  const links = linkify('见 https://example.com/x. 和 http://a.cn/b），完');
  assert.deepEqual(links.filter((n) => n.k === 'link').map((n) => n.href), ['https://example.com/x', 'http://a.cn/b']);
  assert.equal(links.map((n) => (n.k === 'text' ? n.text : n.children[0].text)).join(''), '见 https://example.com/x. 和 http://a.cn/b），完');

  const inline = parseInline('**粗** *斜* `<b>x</b>` [站点](https://a.cn) [坏](javascript:alert(1)) snake_case_name');
  const kinds = inline.map((n) => n.k);
  assert.deepEqual(kinds.slice(0, 6), ['bold', 'text', 'italic', 'text', 'code', 'text']);
  assert.equal(inline[4].text, '<b>x</b>', 'code keeps its characters');
  assert.ok(inline.some((n) => n.k === 'link' && n.href === 'https://a.cn/'));
  const text = inline.filter((n) => n.k === 'text').map((n) => n.text).join('');
  assert.ok(text.includes('[坏](javascript:alert(1))'), 'an unsafe link stays text');
  assert.ok(text.includes('snake_case_name'), 'underscores inside words are not emphasis');

  const blocks = parseMarkdown('# 标题\n> 引用 **重点**\n\n第一行\n第二行 <script>x</script>\n```rust\nfn main() {}\n```');
  assert.deepEqual(blocks.map((b) => b.k), ['h', 'quote', 'p', 'pre']);
  assert.equal(blocks[0].level, 1);
  assert.equal(blocks[2].lines.length, 2);
  assert.equal(blocks[2].lines[1][0].text, '第二行 <script>x</script>', 'tags are text');
  assert.equal(blocks[3].lang, 'rust');

  const code = 'fn main() { let s = "fn"; // note\n  42 }';
  const tokens = highlight(code, 'rs');
  assert.equal(tokens.map((x) => x.text).join(''), code, 'tokens cover the code exactly');
  assert.deepEqual(tokens.filter((x) => x.kind === 'kw').map((x) => x.text), ['fn', 'let']);
  assert.ok(tokens.some((x) => x.kind === 'str' && x.text === '"fn"'));
  assert.ok(tokens.some((x) => x.kind === 'com' && x.text === '// note'));
  assert.ok(tokens.some((x) => x.kind === 'num' && x.text === '42'));
  assert.deepEqual(highlight('SELECT 1', 'sql').map((x) => x.kind), ['kw', 'plain', 'num']);
  assert.deepEqual(highlight('whatever', 'brainfuck'), [{ kind: 'plain', text: 'whatever' }]);
});

test('search highlight: only <b> is markup, entities decoded once, other tags stay text', async () => {
  const { highlightParts } = await load('src/highlight.ts');
  assert.deepEqual(highlightParts('第三季度的<b>预算</b>'), [
    { text: '第三季度的', bold: false },
    { text: '预算', bold: true },
  ]);
  assert.deepEqual(highlightParts('&lt;i&gt;x&lt;/i&gt; <b>A&amp;B</b> <img src=x onerror=alert(1)> &amp;lt;'), [
    { text: '<i>x</i> ', bold: false },
    { text: 'A&B', bold: true },
    { text: ' <img src=x onerror=alert(1)> &lt;', bold: false },
  ]);
  assert.deepEqual(highlightParts(''), []);
});

test('admin permissions: tabs per the contract table, directory buttons, recall', async () => {
  const { allowedTabs, can, contactsAbilities, mayOpen, ADMIN_TABS } = await load('src/perms.ts');
  const who = (permissions, is_admin = false) => ({ is_admin, permissions });

  assert.deepEqual(allowedTabs(who([], true)), [...ADMIN_TABS], 'a super admin sees every tab');
  assert.deepEqual(allowedTabs(who([])), [], 'no permission, no tab');
  // Reading mobiles alone is no admin page.
  assert.deepEqual(allowedTabs(who(['contacts.member.read_mobile', 'contacts.member.read_email'])), []);
  // A branch admin: departments and members (no tags, import or export).
  const branch = who([
    'contacts.department.create', 'contacts.department.delete', 'contacts.department.edit', 'contacts.department.move',
    'contacts.member.create', 'contacts.member.delete', 'contacts.member.disable', 'contacts.member.edit',
    'contacts.member.invite', 'contacts.member.read_email', 'contacts.member.read_mobile',
  ]);
  assert.deepEqual(allowedTabs(branch), ['directory']);
  const ab = contactsAbilities(branch);
  assert.equal(ab.tags, false);
  assert.ok(ab.deptCreate && ab.deptEdit && ab.deptMove && ab.deptDelete && ab.memberCreate && ab.memberEdit && ab.memberDelete);
  // One permission each opens one tab.
  const table = {
    policy: 'security.policy.read',
    import: 'contacts.import',
    apps: 'apps.app.read',
    'rate-limits': 'apps.rate_limit.read',
    messaging: 'messaging.settings.read',
    sessions: 'security.session.read',
    approvals: 'security.device.approve',
    audit: 'audit.log.read',
    roles: 'security.admin_role.read',
  };
  for (const [tab, key] of Object.entries(table)) assert.deepEqual(allowedTabs(who([key])), [tab], key);
  assert.equal(mayOpen(who(['contacts.member.edit']), 'directory'), true);
  assert.equal(mayOpen(who(['contacts.member.edit']), 'roles'), false);
  const editOnly = contactsAbilities(who(['contacts.member.edit']));
  assert.deepEqual(
    Object.entries(editOnly).filter(([, v]) => v).map(([k]) => k),
    ['memberEdit'],
  );
  assert.equal(contactsAbilities(who(['contacts.tag.members'])).tags, true);
  // Resignation and visibility rules have their own keys; visibility alone opens the directory tab.
  assert.equal(contactsAbilities(who(['contacts.member.resign'])).memberResign, true);
  assert.equal(contactsAbilities(who(['contacts.member.edit'])).memberResign, false);
  assert.equal(contactsAbilities(who(['contacts.visibility.edit'])).visibilityEdit, true);
  assert.deepEqual(allowedTabs(who(['contacts.visibility.edit'])), ['directory']);
  assert.deepEqual(allowedTabs(who(['contacts.member.resign'])), ['directory']);
  assert.equal(can(who(['messaging.message.recall_any']), 'messaging.message.recall_any'), true);
  assert.equal(can(who([]), 'messaging.message.recall_any'), false);
  assert.equal(can(who([], true), 'messaging.message.recall_any'), true);
});

test('large groups: positions in order of last raise and capped, replays dropped per group, the /ws parameter', async () => {
  const { raise, conversationsParam, MAX_NAMED } = await load('src/group-streams.ts');
  const positions = new Map();
  assert.equal(conversationsParam(positions), '', 'nothing to name: the parameter is empty (still sent: it says this client follows groups)');
  assert.equal(raise(positions, 'g1', 5), true);
  assert.equal(raise(positions, '42', 3), true);
  assert.equal(conversationsParam(positions), 'g1:5,42:3', 'a digit-only id keeps its place');
  // A replay or an older position changes nothing; a newer one moves the group to the end.
  assert.equal(raise(positions, 'g1', 5), false);
  assert.equal(raise(positions, 'g1', 4), false);
  assert.equal(conversationsParam(positions), 'g1:5,42:3');
  assert.equal(raise(positions, 'g1', 6), true);
  assert.equal(conversationsParam(positions), '42:3,g1:6');

  // Beyond the cap the least recently raised groups are forgotten, the active ones named.
  const many = new Map();
  for (let i = 0; i < MAX_NAMED + 2; i++) raise(many, `g${i}`, i + 1);
  raise(many, 'g2', 1000);
  assert.equal(many.size, MAX_NAMED);
  assert.deepEqual([many.has('g0'), many.has('g1'), many.has('g3')], [false, false, true]);
  assert.equal(conversationsParam(many).split(',').at(-1), 'g2:1000');
  assert.equal(conversationsParam(many).split(',').length, MAX_NAMED);

  // Replays are told apart per group: seq 1 of one group is not a replay of another's seq 1.
  const received = new Map();
  assert.equal(raise(received, 'a', 1, Infinity), true);
  assert.equal(raise(received, 'b', 1, Infinity), true);
  assert.equal(raise(received, 'a', 1, Infinity), false);
  assert.equal(raise(received, 'a', 2, Infinity), true);
});
