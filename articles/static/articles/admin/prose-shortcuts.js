// Markdown shortcuts that django-prose-editor leaves out: its OrderedList drops Tiptap's
// "1. " input rule, so typing "1. " at the start of a line would stay text. This puts the
// rule back (the same one Tiptap's own OrderedList has), numbering from the typed number.
import { Extension, wrappingInputRule } from "django-prose-editor/editor"

export const NumberedListShortcut = Extension.create({
  name: "numberedListShortcut",

  addInputRules() {
    const type = this.editor.schema.nodes.orderedList
    if (!type) return []
    return [
      wrappingInputRule({
        find: /^(\d+)\.\s$/,
        type,
        getAttributes: (match) => ({ start: Number(match[1]), type: "decimal" }),
        // "3. " right after a list of two continues that list instead of starting another.
        joinPredicate: (match, node) => node.childCount + node.attrs.start === Number(match[1]),
      }),
    ]
  },
})
