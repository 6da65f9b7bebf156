// Citations in the section editor: a "Cite" button inserts a marker naming one of the
// article's sources (the Sources rows further down the same form) by its key, stored as
// <cite data-source="KEY">KEY</cite>. The page turns each marker into a numbered footnote
// link (articles/citations.py); the key, not the number, is stored, so reordering or adding
// sources never points a citation at the wrong one.
import { Node, updateAttrsDialog } from "django-prose-editor/editor"

const KEY = /^[a-z0-9][a-z0-9-]{0,49}$/

const slug = (text) =>
  text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "")

const field = (row, name) => row.querySelector(`[name$="-${name}"]`)

// The sources as the form stands (typed, not yet saved, included; deleted ones left out).
const sourcesInForm = () =>
  [...document.querySelectorAll("#sources-group .inline-related:not(.empty-form)")]
    .filter((row) => !field(row, "DELETE")?.checked)
    .map((row) => ({
      row,
      key: field(row, "key"),
      title: field(row, "title")?.value.trim() || "",
      authors: field(row, "authors")?.value.trim() || "",
      year: field(row, "year")?.value.trim() || "",
    }))
    .filter((source) => source.key && (source.title || source.key.value))

// A source cited before it has a key gets one now, as the server would make it
// (articles.references.source_key): first author's surname and year, then -b, -c…
const ensureKey = (source, taken) => {
  if (KEY.test(source.key.value)) return source.key.value
  const surname = source.authors.split(/[,;&]| and /)[0].trim().split(/\s+/)[0] || ""
  const base = slug(`${surname} ${source.year}`) || slug(source.title) || "source"
  let key = base
  for (let letter = 98; taken.has(key); letter++) key = `${base}-${String.fromCharCode(letter)}`
  source.key.value = key
  return key
}

const chooseSource = async (editor) => {
  const sources = sourcesInForm()
  if (!sources.length) {
    window.alert("Add the source under “Sources” below first (authors, title, and a link, DOI or PubMed id), then cite it here.")
    return
  }
  const taken = new Set(sources.map((s) => s.key.value).filter((k) => KEY.test(k)))
  const choices = sources.map((source) => {
    const key = ensureKey(source, taken)
    taken.add(key)
    return `${key} — ${source.title}`.slice(0, 120)
  })
  const chosen = await updateAttrsDialog(
    { source: { type: "string", title: "Source", enum: choices } },
    { title: "Cite a source", submitText: "Cite" },
  )(editor, { source: choices[0] })
  if (!chosen?.source) return
  const key = chosen.source.split(" — ")[0]
  editor.chain().focus().insertContent({ type: "citation", attrs: { source: key } }).run()
}

export const Citation = Node.create({
  name: "citation",
  group: "inline",
  inline: true,
  atom: true,
  selectable: true,

  addAttributes() {
    return {
      source: {
        default: null,
        parseHTML: (element) => element.getAttribute("data-source"),
        renderHTML: (attributes) => ({ "data-source": attributes.source }),
      },
    }
  },

  parseHTML() {
    return [{ tag: "cite[data-source]" }]
  },

  renderHTML({ node, HTMLAttributes }) {
    // Exactly the stored form (styled by editing.css): any other attribute would make an
    // untouched section look changed to the form.
    return ["cite", HTMLAttributes, node.attrs.source]
  },

  renderText({ node }) {
    return `[${node.attrs.source}]`
  },

  addMenuItems({ menu, buttons }) {
    menu.defineItem({
      name: "citation",
      groups: "link",
      button: buttons.text("Cite", "Cite a source (from the Sources below)"),
      command: (editor) => {
        chooseSource(editor)
      },
      enabled: (editor) => editor.isEditable,
    })
  },
})
