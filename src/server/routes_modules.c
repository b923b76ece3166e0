/*
 * routes_modules.c: the module catalogue, as the palette and the properties
 * pane read it: GET /api/modules and GET /api/modules/{id}.
 */
#include "server_int.h"

static int list_modules(srv_request *req, srv_response *res)
{
    (void)req;
    return srv_reply_json(res, 200, mod_catalogue_json());
}

/* {id} is "name@version", or a bare name for its highest version. */
static int get_module(srv_request *req, srv_response *res)
{
    const char *id = srv_path_param(req, 0);
    const mod_descriptor *m = mod_find(id);
    if (m == NULL) return srv_reply_error(res, 404, "not_found", "no module \"%s\"", id);
    return srv_reply_json(res, 200, mod_descriptor_json(m));
}

const srv_route srv_module_routes[] = {
    {"GET", "/api/modules", list_modules, 0},
    {"GET", "/api/modules/{id}", get_module, 0},
    {NULL, NULL, NULL, 0},
};
