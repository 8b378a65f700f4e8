//! Renders the parsed text of markup.ts as elements. User text only ever becomes text nodes
//! (never innerHTML); links open in a new tab without giving it a handle on this page.

import { Fragment, type ComponentChildren } from 'preact';
import { highlight, linkify, parseMarkdown, type Block, type Inline } from '../../markup';
import { t } from '../../i18n';

export function ExternalLink(props: { href: string; class?: string; testid?: string; children: ComponentChildren }) {
  return (
    <a href={props.href} class={props.class} data-testid={props.testid} target="_blank" rel="noopener noreferrer nofollow">
      {props.children}
    </a>
  );
}

function inlines(list: Inline[]): ComponentChildren {
  return list.map((n, i) => {
    switch (n.k) {
      case 'text':
        return n.text;
      case 'code':
        return (
          <code key={i} class="md-code">
            {n.text}
          </code>
        );
      case 'bold':
        return <strong key={i}>{inlines(n.children)}</strong>;
      case 'italic':
        return <em key={i}>{inlines(n.children)}</em>;
      case 'link':
        return (
          <ExternalLink key={i} href={n.href}>
            {inlines(n.children)}
          </ExternalLink>
        );
    }
  });
}

/** Plain text with links; line breaks are kept by CSS (white-space: pre-wrap). */
export function PlainText(props: { text: string }) {
  return <>{inlines(linkify(props.text))}</>;
}

function blocks(list: Block[]): ComponentChildren {
  return list.map((b, i) => {
    switch (b.k) {
      case 'p':
        return (
          <p key={i}>
            {b.lines.map((line, j) => (
              <Fragment key={j}>
                {j > 0 ? <br /> : null}
                {inlines(line)}
              </Fragment>
            ))}
          </p>
        );
      case 'h': {
        // Headings inside a chat bubble stay small: h4..h6 only, sized by CSS.
        const Tag = (['h4', 'h4', 'h5', 'h5', 'h6', 'h6'] as const)[b.level - 1] ?? 'h6';
        return (
          <Tag key={i} class={`md-h md-h${b.level}`}>
            {inlines(b.children)}
          </Tag>
        );
      }
      case 'quote':
        return <blockquote key={i}>{blocks(b.blocks)}</blockquote>;
      case 'pre':
        return <CodeBlock key={i} language={b.lang} code={b.text} />;
    }
  });
}

export function Markdown(props: { source: string }) {
  return <div class="md">{blocks(parseMarkdown(props.source))}</div>;
}

/** A code snippet: the language as a label and the code with simple highlighting. */
export function CodeBlock(props: { language: string; code: string }) {
  return (
    <figure class="code-snippet" data-testid="code-snippet" data-language={props.language}>
      <figcaption class="code-lang">{props.language || t('chat.code.plain')}</figcaption>
      <pre>
        <code>
          {highlight(props.code, props.language).map((tok, i) =>
            tok.kind === 'plain' ? (
              tok.text
            ) : (
              <span key={i} class={`tok-${tok.kind}`}>
                {tok.text}
              </span>
            ),
          )}
        </code>
      </pre>
    </figure>
  );
}
