// SPDX-License-Identifier: MIT OR Apache-2.0
// Manifests as registries serve them, for the manifest step's unit tests. Where
// each came from is said above it; `skopeo inspect --raw` printed the recorded ones.
#pragma once

#include <string_view>

namespace recorded {

// The fixture's OS image (tests/support/make-os-image.py, pushed by skopeo as OCI): 48 gzip
// layers and the config, 133,489,331 bytes in all. Recorded from the fixture's registry.
inline constexpr std::string_view os_image_manifest =
    R"json({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:3bd7cd15e3f51c8ff76ab2438b07c91bd0ac8778d185b1f9cec9bb75c6812521","size":7262},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:4321043f83af81311bd09fcc428ad323738f414fa7e6d2d2eeb85a4d65ed7560","size":21853},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:ca88088046bd6ac3f007a319e9014a6fe5e28769366d6e29e8315972de95d688","size":372016},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:b7464330eb52f3903dcba10a567a5f65231ff5e057e4b4df2cf028cd95b658de","size":229265},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:c7bd0300016e3d19e0655e1ed9b925a113bb5973494961b1e1529fc3dafbbd1a","size":602222},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:b35231594f6b0e34972559e10de4b1885d67ec94954642bf6e7cf01a271c1c4c","size":395485},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:d732f09452688120687eec69fbe58e48560bd38bc7c179619e8ff1403c2177d2","size":444730},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:01b3516148c145fc7960ef12fe17a0ff87988d2fb70f9b0198ba4891a781e791","size":513641},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:c7c76113eb0e1c5076b2e05d8fc00b89c5dae27ba8eb39c4e410f81644c35970","size":519666},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:d01df5b237116bbcc990a9d7399d83aef7eabf0936aada4256b545ce4f4c21e7","size":616547},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:d1729102fca058b57abcff528c6a80406f718bb1fd3459dbb9df104cf482c30b","size":848251},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:f17dc44b83e904071f5cb5bcc1c40b19d80c3c96fb141491b5d653ce678f0c72","size":688270},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:aa5cb07e273bf89125218f61c050001db8ac8df32116f00c736fcb0ce7d9b626","size":864010},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:70fb39d36bd96ba64ab247a787fcd4cdb24b0ab9bf7bf22c24baddf80faf0ae2","size":1094777},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:635dbdc2c07fa79820668357f8443f554803d6514451b6f985e152457483e4bb","size":875078},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:531e7863e441a2aaa1614f5a4310e165a73ed9640a61d4933fc3f10bdde1eee8","size":822671},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:44be6d1f6baa1fc1d6b3da459aacb42b82f383f105717035e6bb281e89400dbc","size":815234},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:cb740800a01320745e04ba3dccf6fd1521e818a94a5a5788c964ce934c6fc183","size":645660},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:0141a0f92bac1ec553192bcfbf28f6ca6040079fed92085214090558ac8e75ad","size":1065186},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:5377587a964b46761afaa276b8b916e3fdfa199c3aa24798dbc4de57c388645f","size":1108006},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:af55956ddd0c8b5c868c78a4ed68fc4c9608084afe65dd55f17b0c8507a068d9","size":743440},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:e38ad8ff580c5858bfbe0ecb04546f6d0ec687efbbb9be18cd65e9aa23ad603c","size":1642866},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:4a0a9cde184874bdecea13822f145736dcbe1b89755301ffb4ea3284e8f2088a","size":1370141},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:357ca6218c260003606f1203bd9e19cf1438f110e70dc3e39ecffc9a61fe6885","size":1260391},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:2d1b59f6d8df91b441708fc00300be855b1738a6b8254e97d7ea280f23df6c54","size":1169486},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:a62d53dd3dcc1ab838f6879f794b0849c6ca273c339c2815a589b1d73202cedf","size":1426541},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:1f634511e6ad6d9d48bf95cd1dc67d329e6e0049762fe26b655ebf23e43f6089","size":1222706},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:f0778a5bfc500c98f7993ce8ffe636df3fe83abccdaea2ccd5e27fa9a8ea567d","size":1309213},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:7892869867301b7d417bdd15d51ecd43f42e278dfe4d7a4c36cb260f36e6cb61","size":1438116},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:d79355a20b1da2a4b28e0708be6714effbe81294980eb4b7898b107d1c91d9fd","size":1297878},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:6d3232d263e097dde3eff55e6f5b0b135a96936a10fe73c985c7a95976c78804","size":1043211},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:b2ec73a85da3b0fd35beace5339a03044f83db8a9e8add26ba83bda761d46e4d","size":1364820},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:9a7f66c2395186595d522895b05c4322dcf7147903edb5f93795c279e33bde76","size":1913076},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:2682a9b0bf821146a0511a169fa594c8230ee59ca461b315aac028d31cc5dbf8","size":1795997},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:bb6c990521956b5c7b66a242231101942bfb9aee4c63136611fabab52ad60181","size":1024136},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:bd208aac99882e45fc6040b70fd2f943ea9df9d839d1ad0fdcc2901b727e1d7f","size":1996349},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:446065e35f3c073b30a1f7c45ef8f2d9e337a083a292af9431190294c4499670","size":2332555},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:87efe52dc750fe565705b943baa1718920056e5f67382b1ccf1c576b0ae52c57","size":2202898},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:d72105f4085c46fba8e4cb85c04c85f2f30c54528e5695ff7b6b4adbc525ae23","size":2052213},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:b3fa1819656c3c56376a8d80a9eda123e0ce73de70f9339671fbb91aafe1f14b","size":1627058},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:e872d653200aa3c863b42e189fac9ee06260066f3426ab884e7786022dbfb4de","size":2551403},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:0517b3bc425deb6505d1cb75a4c0166fbbce5e3186a93dfb09a123e02480bc88","size":2854938},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:9bac103662d3189c5bc9a1a06295a9da2ed39b9656cd3ee9cfea0b6b5e24b453","size":2688673},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:9e17247d82972a38adc13d08e4e445785d44abc3b11f4495fabfc73f3480ee2d","size":3278781},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:5f082cfe7c397373270a2748ee61ce7c523228a118e33a92d613de686a9ec40b","size":2826268},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:1b9b43f245ed8ab4659d6041aa6f00084fd73a9e18e38d4e2b7ec54117fcc12e","size":6280051},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:5b2d1f611ee86ffbe0d9ee7029ab5e7f2fc5dcdfab7f7e110b22590e7b706e7c","size":7221197},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:86c41a52bac1293dd0ae895eef22ed3e45bf0df92fdbfe62e2fc752ce01e407d","size":28647652},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:7e0df0a57dcdaa77609bd0d389837d965ced3e84db4029cb3d1486ac65b23768","size":34357447}]})json";

// A Docker v2 schema 2 manifest: the fixture-style two-layer image copied with
// `skopeo copy --format v2s2`, recorded.
inline constexpr std::string_view docker_v2_manifest =
    R"json({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":757,"digest":"sha256:db188782545a96f6304a3596cb61257fbf1b8c7e9665da1ac17dd98ed2d3c6bb"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":2097944,"digest":"sha256:25a10d9867dfd9a14dd0ad2c3690c8d5b71eee07a54e110f388830114d92ba65"},{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":1049277,"digest":"sha256:0313cb0b981ceb1c711a0d6e3bc11bbde1051cdf1c77212cde8038c1b563c760"}]})json";

// An OCI index in the shape BuildKit pushes: two platforms and an attestation manifest for
// "unknown/unknown" (written for the tests, digests made up).
inline constexpr std::string_view oci_index = R"json({
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.index.v1+json",
  "manifests": [
    {"mediaType": "application/vnd.oci.image.manifest.v1+json",
     "digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111",
     "size": 1021, "platform": {"architecture": "amd64", "os": "linux"}},
    {"mediaType": "application/vnd.oci.image.manifest.v1+json",
     "digest": "sha256:2222222222222222222222222222222222222222222222222222222222222222",
     "size": 1021, "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}},
    {"mediaType": "application/vnd.oci.image.manifest.v1+json",
     "digest": "sha256:3333333333333333333333333333333333333333333333333333333333333333",
     "size": 566, "annotations": {"vnd.docker.reference.type": "attestation-manifest"},
     "platform": {"architecture": "unknown", "os": "unknown"}}
  ]
})json";

// A Docker manifest list in the shape Docker Hub serves for multi-arch images (digests made up).
inline constexpr std::string_view docker_list = R"json({
   "manifests": [
      {"digest": "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
       "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
       "platform": {"architecture": "amd64", "os": "linux"}, "size": 528},
      {"digest": "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
       "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
       "platform": {"architecture": "arm", "os": "linux", "variant": "v7"}, "size": 528},
      {"digest": "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
       "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
       "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}, "size": 528},
      {"digest": "sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
       "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
       "platform": {"architecture": "s390x", "os": "linux"}, "size": 528}
   ],
   "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
   "schemaVersion": 2
})json";

// A Docker v2 schema 1 manifest (signed), abridged: layers by digest, no sizes.
inline constexpr std::string_view docker_schema1 = R"json({
   "schemaVersion": 1, "name": "library/hello", "tag": "latest", "architecture": "amd64",
   "fsLayers": [{"blobSum": "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"}],
   "history": [{"v1Compatibility": "{}"}],
   "signatures": []
})json";

} // namespace recorded
