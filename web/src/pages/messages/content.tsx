//! The body of a message by type. Everything from the sender is shown as text (or through the
//! safe markdown subset); links only for http(s) URLs. Types sent by apps and robots
//! (textcard, news, merged) are displayed only; images and files are in files.tsx.

import { messagePreview, senderLabel, type NameOf } from '../../chat';
import { formatTime, t } from '../../i18n';
import { safeUrl } from '../../markup';
import type { ConversationView, MessageView } from '../../types';
import { FileMessage } from './files';
import { CodeBlock, ExternalLink, Markdown, PlainText } from './rich';

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});

/**
 * WeCom text cards often carry `<div class="gray">…</div>` in the description. The tags are not
 * rendered (that would be HTML from the sender); they become line breaks or disappear.
 */
export function stripTags(s: string): string {
  return s
    .replace(/<br\s*\/?>|<\/(div|p)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function Card(props: { title: string; description: string; url: string; button?: string; testid: string }) {
  const href = safeUrl(props.url);
  let host = '';
  try {
    host = href ? new URL(href).host : '';
  } catch {
    host = '';
  }
  return (
    <div class="msg-card" data-testid={props.testid}>
      <div class="msg-card-title">{href ? <ExternalLink href={href}>{props.title || props.url}</ExternalLink> : props.title}</div>
      {props.description ? <div class="msg-card-desc">{props.description}</div> : null}
      {href ? (
        <div class="msg-card-foot">
          <span class="muted small">{host}</span>
          {props.button ? (
            <ExternalLink href={href} class="msg-card-button">
              {props.button}
            </ExternalLink>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

export function MessageContent(props: { m: MessageView; conversation: ConversationView | null; nameOf: NameOf }) {
  const { m } = props;
  const c = m.content;
  switch (m.type) {
    case 'text':
      return (
        <div class="msg-text">
          <PlainText text={str(c.content)} />
        </div>
      );
    case 'markdown':
      return <Markdown source={str(c.content)} />;
    case 'code':
      return <CodeBlock language={str(c.language)} code={str(c.code)} />;
    case 'link':
      return <Card testid="msg-link" title={str(c.title)} description={str(c.description)} url={str(c.url)} />;
    case 'textcard':
      return (
        <Card
          testid="msg-textcard"
          title={str(c.title)}
          description={stripTags(str(c.description))}
          url={str(c.url)}
          button={str(c.btntxt) || t('chat.card.details')}
        />
      );
    case 'news': {
      const articles = Array.isArray(c.articles) ? c.articles.map(obj) : [];
      return (
        <div class="msg-news" data-testid="msg-news">
          {articles.map((a, i) => (
            <Card key={i} testid="msg-news-article" title={str(a.title)} description={str(a.description)} url={str(a.url)} />
          ))}
        </div>
      );
    }
    case 'image':
    case 'file':
      return <FileMessage m={m} />;
    case 'merged': {
      const items = Array.isArray(c.items) ? c.items.map(obj) : [];
      return (
        <div class="msg-merged" data-testid="msg-merged">
          <div class="msg-merged-title">{str(c.title) || t('chat.type.merged')}</div>
          <ul>
            {items.map((it, i) => {
              const inner: MessageView = {
                ...m,
                type: str(it.type),
                content: obj(it.content),
                recalled: false,
                created_at: Number(it.created_at) || 0,
              };
              return (
                <li key={i}>
                  <span class="msg-merged-sender">{senderLabel(str(it.sender), props.conversation, props.nameOf)}</span>
                  {inner.created_at ? <span class="muted small"> {formatTime(inner.created_at)}</span> : null}
                  <div class="msg-merged-text">{messagePreview(inner)}</div>
                </li>
              );
            })}
          </ul>
        </div>
      );
    }
    default:
      return <div class="msg-text muted">[{t('chat.type.unsupported')}]</div>;
  }
}
