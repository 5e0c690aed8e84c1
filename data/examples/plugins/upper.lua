--- tool: upper
--- title: Upper-case a field
--- description: Upper-cases the text of one field of each item, with an optional suffix
--- param: field string required: The field to upper-case
--- param: suffix string default=: Text appended after it
-- A Lua tool is a Lua body like any other (sandboxed: no io, no os.execute),
-- with its parameters in `args`. Items whose field is not text pass on as they are.
local value = item[args.field]
if type (value) == "string" then
  item[args.field] = string.upper (value) .. args.suffix
end
