// Preloaded into dynalite (node --require): remembers parsed expressions.
//
// dynalite parses every UpdateExpression, ConditionExpression, KeyConditionExpression, FilterExpression and
// ProjectionExpression with a PEG parser on every request; under load that parsing took half of its CPU, and
// dynalite runs on one Node thread. The services' expressions are a few dozen fixed strings, so a parse is kept
// per (expression, attribute names, type of each attribute value) and replayed with the request's own values.
//
// What a replay must reproduce: the tree, with each value the parse took from ExpressionAttributeValues replaced by
// the request's value of the same key, and the bookkeeping of which names and values were used (dynalite refuses
// unused ones). Parses whose checks read a value itself, not only its type (attribute_type's type name, BETWEEN's
// bound order), and parses that failed are never kept: they run every time, exactly as before.
'use strict'
const path = require('path')

const cli = process.argv[1] || ''
const root = path.dirname(cli)
const MAX_ENTRIES = 2000
const VALUE_DEPENDENT = /attribute_type|between/i

function typeOf (value) {
  if (!value || typeof value !== 'object') return '?'
  for (const t of ['S', 'N', 'B', 'NULL', 'BOOL', 'SS', 'NS', 'BS', 'L', 'M']) {
    if (value[t] != null) return t
  }
  return '?'
}

function keyOf (id, str, context) {
  const vals = context.attrVals || {}
  const shape = Object.keys(vals).sort().map(k => k + '=' + typeOf(vals[k])).join(',')
  return id + '\u0000' + (context.isKeyCondition ? 'k' : '') + '\u0000' + str + '\u0000' +
    JSON.stringify(context.attrNames || null) + '\u0000' + shape
}

// A deep copy of a parse tree in which swap(node) replaces any node it returns something for.
function copy (node, swap) {
  if (node === null || typeof node !== 'object') return node
  const swapped = swap(node)
  if (swapped !== undefined) return swapped
  if (Array.isArray(node)) return node.map(n => copy(n, swap))
  const out = {}
  for (const k of Object.keys(node)) out[k] = copy(node[k], swap)
  return out
}

function remember (id, parser) {
  const parse = parser.parse
  const cache = new Map()
  parser.parse = function (str, options) {
    const context = options && options.context
    if (!context || typeof str !== 'string' || VALUE_DEPENDENT.test(str)) return parse.apply(this, arguments)
    const key = keyOf(id, str, context)
    const hit = cache.get(key)
    if (hit) {
      for (const n of hit.usedNames) delete context.unusedAttrNames[n]
      for (const v of hit.usedVals) delete context.unusedAttrVals[v]
      // each marker becomes this request's value of its key
      const vals = context.attrVals || {}
      return copy(hit.tree, n => hit.markers.has(n) ? vals[hit.markers.get(n)] : undefined)
    }
    const namesBefore = Object.keys(context.unusedAttrNames || {})
    const valsBefore = Object.keys(context.unusedAttrVals || {})
    const tree = parse.apply(this, arguments) // throws on a bad expression: nothing is kept
    const byValue = new Map()
    for (const [k, v] of Object.entries(context.attrVals || {})) {
      if (v && typeof v === 'object') byValue.set(v, k)
    }
    const markers = new Map() // marker object -> key of the value it stands for
    // A private copy (dynalite may change the tree it is given), each value taken from the request a marker.
    const kept = copy(tree, n => {
      if (!byValue.has(n)) return undefined
      const marker = {}
      markers.set(marker, byValue.get(n))
      return marker
    })
    if (cache.size >= MAX_ENTRIES) cache.clear()
    cache.set(key, {
      tree: kept,
      markers,
      usedNames: namesBefore.filter(n => !(n in context.unusedAttrNames)),
      usedVals: valsBefore.filter(v => !(v in context.unusedAttrVals)),
    })
    return tree
  }
}

if (path.basename(cli) === 'cli.js') {
  remember('condition', require(path.join(root, 'db', 'conditionParser')))
  remember('update', require(path.join(root, 'db', 'updateParser')))
  remember('projection', require(path.join(root, 'db', 'projectionParser')))
}
