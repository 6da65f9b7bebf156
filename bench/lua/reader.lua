-- One page (the URL given to wrk), each request from a new reader.
function request()
  return wrk.format(nil, nil, reader_headers())
end
