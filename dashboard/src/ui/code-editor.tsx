/**
 * The code editor (CodeMirror 6, JavaScript and TypeScript highlighting) and the version diff (its unified merge
 * view), loaded on demand with the Actions page.
 *
 * Each editor lives in a shadow root: CodeMirror then styles it through a constructed stylesheet
 * (`adoptedStyleSheets`) instead of a `<style>` element, which the dashboard's CSP (`style-src 'self'`) refuses. So
 * the policy needs neither 'unsafe-inline' nor a nonce. The editable area is a labelled textbox; Tab leaves it.
 */
import { javascript } from '@codemirror/lang-javascript';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import { unifiedMergeView } from '@codemirror/merge';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { basicSetup, EditorView } from 'codemirror';
import { useEffect, useRef } from 'preact/hooks';

/** A build error at a line (1-based) of the document. */
export interface Problem {
  line: number;
  message: string;
}

const theme = EditorView.theme({
  '&': { fontSize: '14px', backgroundColor: '#ffffff' },
  '&.cm-focused': { outline: '3px solid #ffbf47' },
  '.cm-scroller': {
    fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace",
    minHeight: '16rem',
    maxHeight: '34rem',
  },
  '.cm-content, .cm-gutter': { minHeight: '16rem' },
  // The default gutter grey is too faint to read (WCAG AA asks 4.5:1).
  '.cm-gutters': { color: '#555d66', backgroundColor: '#f3f5f7' },
  '.cm-activeLineGutter': { color: '#1b1f24' },
});

/** Mounts `create(shadowRoot)` in a shadow root of the returned host's element. */
function useShadowView(create: (root: ShadowRoot) => EditorView, deps: unknown[]) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  useEffect(() => {
    const element = host.current!;
    const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
    const created = create(root);
    view.current = created;
    return () => {
      created.destroy();
      view.current = undefined;
    };
  }, deps);
  return { host, view };
}

const language = (typescript: boolean) => javascript({ typescript });

export default function CodeEditor(props: {
  /** The document's identity: a new key replaces the text with `initial`. */
  docKey: string;
  initial: string;
  label: string;
  typescript: boolean;
  readOnly: boolean;
  problem: Problem | undefined;
  onChange: (text: string) => void;
}) {
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  const editable = useRef(new Compartment()).current;
  const extensions = (readOnly: boolean): Extension[] => [
    basicSetup,
    language(props.typescript),
    lintGutter(),
    theme,
    // Focusable even when read-only, so that a keyboard can reach and scroll it.
    EditorView.contentAttributes.of({ 'aria-label': props.label, tabindex: '0' }),
    editable.of([EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) onChange.current(update.state.doc.toString());
    }),
  ];
  const { host, view } = useShadowView(
    (root) =>
      new EditorView({
        root,
        parent: root,
        state: EditorState.create({ doc: props.initial, extensions: extensions(props.readOnly) }),
      }),
    [props.docKey],
  );

  useEffect(() => {
    view.current?.dispatch({
      effects: editable.reconfigure([EditorState.readOnly.of(props.readOnly), EditorView.editable.of(!props.readOnly)]),
    });
  }, [props.readOnly]);

  useEffect(() => {
    const current = view.current;
    if (!current) return;
    const { problem } = props;
    if (!problem || problem.line < 1 || problem.line > current.state.doc.lines) {
      current.dispatch(setDiagnostics(current.state, []));
      return;
    }
    const line = current.state.doc.line(problem.line);
    const from = line.from + (line.text.length - line.text.trimStart().length);
    current.dispatch(
      setDiagnostics(current.state, [
        { from, to: Math.max(from, line.to), severity: 'error', message: problem.message },
      ]),
      { selection: { anchor: from }, scrollIntoView: true },
    );
  }, [props.problem, props.docKey]);

  return <div ref={host} class="editor-host" />;
}

/** The draft against a deployed version: lines the draft removed shown struck out above the ones it added. */
export interface DiffProps {
  original: string;
  draft: string;
  typescript: boolean;
  label: string;
}

export function DiffView(props: DiffProps) {
  const { host } = useShadowView(
    (root) =>
      new EditorView({
        root,
        parent: root,
        state: EditorState.create({
          doc: props.draft,
          extensions: [
            basicSetup,
            language(props.typescript),
            theme,
            EditorState.readOnly.of(true),
            EditorView.editable.of(false),
            EditorView.contentAttributes.of({ 'aria-label': props.label, tabindex: '0' }),
            unifiedMergeView({ original: props.original, mergeControls: false, syntaxHighlightDeletions: true }),
          ],
        }),
      }),
    [props.original, props.draft],
  );
  return <div ref={host} class="editor-host" />;
}
