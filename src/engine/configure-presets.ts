// The ./configure flag sets a project picks with `engine.configure.preset`.

/**
 * `default` follows docker-openresty's RESTY_CONFIG_OPTIONS and APISIX's runtime build, minus what needs
 * libraries a slim Debian runtime lacks (geoip, image_filter, xslt) and what the nginx core of OpenResty
 * 1.21.4 does not have (http_v3). `minimal` is what a proxy-wasm gateway needs and nothing more.
 */
export const CONFIGURE_PRESETS: Readonly<Record<"default" | "minimal", readonly string[]>> = {
  default: [
    "--with-compat",
    "--with-pcre-jit",
    "--with-threads",
    "--with-http_ssl_module",
    "--with-http_v2_module",
    "--with-http_realip_module",
    "--with-http_addition_module",
    "--with-http_auth_request_module",
    "--with-http_secure_link_module",
    "--with-http_random_index_module",
    "--with-http_gzip_static_module",
    "--with-http_gunzip_module",
    "--with-http_sub_module",
    "--with-http_dav_module",
    "--with-http_flv_module",
    "--with-http_mp4_module",
    "--with-http_slice_module",
    "--with-http_stub_status_module",
    "--with-stream",
    "--with-stream_ssl_module",
    "--with-stream_ssl_preread_module",
    "--with-stream_realip_module",
    "--without-http_rds_json_module",
    "--without-http_rds_csv_module",
    "--without-lua_rds_parser",
    "--without-mail_pop3_module",
    "--without-mail_imap_module",
    "--without-mail_smtp_module",
  ],
  minimal: ["--with-pcre-jit", "--with-http_ssl_module"],
};
