# The dependency table: the single source of truth for which layer may use which.
# parley_add_library() links exactly these, and include paths travel only with link
# edges, so an upward #include fails to compile. See docs/architecture.md.
set(parley_layer_deps_base "")
set(parley_layer_deps_sip base)
set(parley_layer_deps_sdp base)
set(parley_layer_deps_transport sip base)
set(parley_layer_deps_transaction transport sip base)
set(parley_layer_deps_dialog transaction sip base)
set(parley_layer_deps_session dialog transaction sdp sip base)
set(parley_layer_deps_media session transport sdp base)
set(parley_layer_deps_ext session sdp sip base)
set(parley_layer_deps_endpoint media ext session dialog transaction transport sdp sip base)
