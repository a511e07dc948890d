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

// A fresh copy of a kept tree, each marker replaced by this request's value of its key.
function replay (node, fromTemplate, vals) {
  if (node === null || typeof node !== 'object') return node
  const key = fromTemplate.get(node)
  if (key !== undefined) return vals[key]
  if (Array.isArray(node)) return node.map(n => replay(n, fromTemplate, vals))
  const out = {}
  for (const k of Object.keys(node)) out[k] = replay(node[k], fromTemplate, vals)
  return out
}

// A private copy of a fresh parse, each value taken from the request replaced by a marker of its key.
function snapshot (node, byValue, fromTemplate) {
  if (node === null || typeof node !== 'object') return node
  const key = byValue.get(node)
  if (key !== undefined) {
    const marker = {}
    fromTemplate.set(marker, key)
    return marker
  }
  if (Array.isArray(node)) return node.map(n => snapshot(n, byValue, fromTemplate))
  const out = {}
  for (const k of Object.keys(node)) out[k] = snapshot(node[k], byValue, fromTemplate)
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
      return replay(hit.tree, hit.fromTemplate, context.attrVals || {})
    }
    const namesBefore = Object.keys(context.unusedAttrNames || {})
    const valsBefore = Object.keys(context.unusedAttrVals || {})
    const tree = parse.apply(this, arguments) // throws on a bad expression: nothing is kept
    const byValue = new Map()
    for (const [k, v] of Object.entries(context.attrVals || {})) {
      if (v && typeof v === 'object') byValue.set(v, k)
    }
    const fromTemplate = new Map()
    if (cache.size >= MAX_ENTRIES) cache.clear()
    cache.set(key, {
      tree: snapshot(tree, byValue, fromTemplate), // a private copy: dynalite may change the tree it is given
      fromTemplate,
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
