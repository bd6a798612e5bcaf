-- wrk -s bench/peers/api_post.lua: every request is a POST of
-- bench/peers/api_body.json (the api-server workload's order) as
-- application/json to the URL wrk is given. wrk runs from the
-- repository's root (bench/run.sh does), so the path is relative to it.
local f = assert(io.open("bench/peers/api_body.json", "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
