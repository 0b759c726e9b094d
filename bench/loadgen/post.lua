-- The generator's request, for wrk: POST an OIP infer body.
wrk.method = "POST"
wrk.path = "/v2/models/m/infer"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}'
