-- wrk: 16 requests per write, pipelined on each connection (after wrk's scripts/pipeline.lua)
init = function(args)
  local r = {}
  for i = 1, 16 do
    r[i] = wrk.format(nil, "/hello")
  end
  req = table.concat(r)
end

request = function()
  return req
end
