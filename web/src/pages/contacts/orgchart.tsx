//! Org chart tab of Contacts: the department tree drawn as SVG (layout in orgchart.ts), with an
//! "Export SVG" download of exactly what is shown. Styling is in attributes, not CSS classes,
//! so the exported file looks the same on its own.

import { useMemo, useRef, useState } from 'preact/hooks';
import { Button, Card, Empty } from '../../components/ui';
import { deptName, type Directory } from '../../directory';
import { t, tCount, useLang } from '../../i18n';
import { fitText, layoutOrgChart, NODE_H, NODE_W } from '../../orgchart';

const FONT =
  '-apple-system, BlinkMacSystemFont, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", sans-serif';

export function OrgChart(props: { dir: Directory; corpName: string }) {
  const lang = useLang();
  const svgRef = useRef<SVGSVGElement>(null);
  const [fit, setFit] = useState(false);
  const { tree, counts } = props.dir;
  const layout = useMemo(
    () => (tree ? layoutOrgChart(tree, counts, (id) => deptName(tree.byId.get(id), props.corpName)) : null),
    [tree, counts, lang, props.corpName],
  );

  function exportSvg() {
    const svg = svgRef.current;
    if (!svg) return;
    const clone = svg.cloneNode(true) as SVGSVGElement;
    clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
    clone.removeAttribute('class');
    clone.removeAttribute('style');
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}\n`;
    const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'org-chart.svg';
    a.style.display = 'none';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  return (
    <Card
      title={t('contacts.chart.title')}
      testid="org-chart-card"
      actions={
        <>
          <label class="check small">
            <input type="checkbox" data-testid="org-chart-fit" checked={fit} onChange={(e) => setFit(e.currentTarget.checked)} />
            {t('contacts.chart.fit')}
          </label>
          <Button testid="org-chart-export" small onClick={exportSvg} disabled={!layout || layout.nodes.length === 0}>
            {t('contacts.chart.export')}
          </Button>
        </>
      }
    >
      {!layout || layout.nodes.length === 0 ? (
        <Empty testid="org-chart-empty">{t('contacts.chart.empty')}</Empty>
      ) : (
        <div class="org-chart-wrap" data-testid="org-chart-wrap">
          <svg
            ref={svgRef}
            class="org-chart"
            data-testid="org-chart"
            xmlns="http://www.w3.org/2000/svg"
            width={layout.width}
            height={layout.height}
            viewBox={`0 0 ${layout.width} ${layout.height}`}
            // Fit: scaled down to the frame's width (never up); the export keeps the natural size.
            style={fit ? { width: '100%', maxWidth: `${layout.width}px`, height: 'auto' } : undefined}
            role="img"
            aria-label={t('contacts.chart.title')}
            font-family={FONT}
          >
            <title>{t('contacts.chart.fileTitle', { company: props.corpName })}</title>
            <rect x="0" y="0" width={layout.width} height={layout.height} fill="#ffffff" />
            <g fill="none" stroke="#b6bfcc" stroke-width="1.5" data-testid="org-chart-lines">
              {layout.edges.map((e) => (
                <path key={`${e.from}-${e.to}`} d={e.d} data-testid="org-edge" data-from={e.from} data-to={e.to} />
              ))}
            </g>
            {layout.nodes.map((n) => {
              const root = n.depth === 0;
              const dept = tree?.byId.get(n.id);
              return (
                <g
                  key={n.id}
                  transform={`translate(${n.x} ${n.y})`}
                  data-testid="org-node"
                  data-dept-id={n.id}
                  data-name={dept?.name ?? ''}
                  data-count={n.count}
                >
                  <title>{n.label}</title>
                  <rect
                    width={NODE_W}
                    height={NODE_H}
                    rx="8"
                    fill={root ? '#2c7be5' : '#ffffff'}
                    stroke={root ? '#2c7be5' : '#c9d3e0'}
                    stroke-width="1.2"
                  />
                  <text
                    x={NODE_W / 2}
                    y="26"
                    text-anchor="middle"
                    font-size="14"
                    font-weight="600"
                    fill={root ? '#ffffff' : '#1f2329'}
                  >
                    {fitText(n.label, NODE_W - 16)}
                  </text>
                  <text x={NODE_W / 2} y="46" text-anchor="middle" font-size="12" fill={root ? '#dce9fb' : '#646a73'}>
                    {tCount('contacts.chart.count', n.count)}
                  </text>
                </g>
              );
            })}
          </svg>
        </div>
      )}
    </Card>
  );
}
