# dlib's face recognition ResNet (as ported to face-api.js weight manifests) -> ONNX, NCHW,
# input [1,3,150,150] already normalised ((rgb - mean) / 256), output [1,128].
# Usage: python faceapi-resnet-to-onnx.py face_recognition_model-weights_manifest.json face_recognition_model.bin OUT.onnx
# (PyPI packages onnx and numpy). The graph is the face-api.js FaceRecognitionNet forward pass.
import json, sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
man, binf, dst = sys.argv[1:4]
j = json.load(open(man)); buf = open(binf, 'rb').read()
W = {}; off = 0
for g in j:
    for w in g['weights']:
        n = int(np.prod(w['shape'])); q = w.get('quantization')
        if q:
            raw = np.frombuffer(buf, np.uint8, n, off); off += n
            a = raw.astype(np.float32) * q['scale'] + q['min']
        else:
            a = np.frombuffer(buf, np.float32, n, off).copy(); off += 4 * n
        W[w['name']] = a.reshape(w['shape'])
assert off == len(buf), (off, len(buf))
nodes, inits = [], []
c = [0]
def t(p='t'): c[0] += 1; return f'{p}{c[0]}'
def I(name, a): inits.append(numpy_helper.from_array(np.asarray(a, np.float32) if np.asarray(a).dtype != np.int64 else np.asarray(a), name)); return name
def conv(x, p, stride, relu, same):
    f = W[p + '/conv/filters']; kh = f.shape[0]
    y = t()
    kw = dict(strides=[stride, stride], kernel_shape=[kh, kh])
    if same: kw['pads'] = [kh // 2] * 4
    nodes.append(helper.make_node('Conv', [x, I(p + '/w', f.transpose(3, 2, 0, 1)), I(p + '/b', W[p + '/conv/bias'])], [y], **kw))
    z = t(); nodes.append(helper.make_node('Mul', [y, I(p + '/sw', W[p + '/scale/weights'].reshape(-1, 1, 1))], [z]))
    u = t(); nodes.append(helper.make_node('Add', [z, I(p + '/sb', W[p + '/scale/biases'].reshape(-1, 1, 1))], [u]))
    if relu:
        r = t(); nodes.append(helper.make_node('Relu', [u], [r])); return r
    return u
def residual(x, p):
    o = conv(x, p + '/conv1', 1, True, True); o = conv(o, p + '/conv2', 1, False, True)
    a = t(); nodes.append(helper.make_node('Add', [o, x], [a])); r = t(); nodes.append(helper.make_node('Relu', [a], [r])); return r
def residual_down(x, p, cin, hin):
    o = conv(x, p + '/conv1', 2, True, False); o = conv(o, p + '/conv2', 1, False, True)
    hc = (hin - 3) // 2 + 1; hp = hin // 2
    cout = W[p + '/conv2/conv/filters'].shape[3]
    if hp != hc:
        o2 = t(); nodes.append(helper.make_node('Pad', [o, I(t('pads'), np.array([0, 0, 0, 0, 0, 0, hp - hc, hp - hc], np.int64))], [o2])); o = o2
    pl = t(); nodes.append(helper.make_node('AveragePool', [x], [pl], kernel_shape=[2, 2], strides=[2, 2]))
    if cout != cin:
        p2 = t(); nodes.append(helper.make_node('Pad', [pl, I(t('pads'), np.array([0, 0, 0, 0, 0, cout - cin, 0, 0], np.int64))], [p2])); pl = p2
    a = t(); nodes.append(helper.make_node('Add', [pl, o], [a])); r = t(); nodes.append(helper.make_node('Relu', [a], [r]))
    return r, cout, hp
x = conv('input', 'conv32_down', 2, True, False)  # 150 -> 72
m = t(); nodes.append(helper.make_node('MaxPool', [x], [m], kernel_shape=[3, 3], strides=[2, 2])); x = m  # 35
h, ch = 35, 32
for p in ['conv32_1', 'conv32_2', 'conv32_3']: x = residual(x, p)
x, ch, h = residual_down(x, 'conv64_down', ch, h)
for p in ['conv64_1', 'conv64_2', 'conv64_3']: x = residual(x, p)
x, ch, h = residual_down(x, 'conv128_down', ch, h)
for p in ['conv128_1', 'conv128_2']: x = residual(x, p)
x, ch, h = residual_down(x, 'conv256_down', ch, h)
for p in ['conv256_1', 'conv256_2']: x = residual(x, p)
x, ch, h = residual_down(x, 'conv256_down_out', ch, h)
g = t(); nodes.append(helper.make_node('GlobalAveragePool', [x], [g]))
f = t(); nodes.append(helper.make_node('Flatten', [g], [f]))
nodes.append(helper.make_node('MatMul', [f, I('fc', W['fc'])], ['output']))
graph = helper.make_graph(nodes, 'dlib_resnet', [helper.make_tensor_value_info('input', TensorProto.FLOAT, [1, 3, 150, 150])], [helper.make_tensor_value_info('output', TensorProto.FLOAT, [1, 128])], inits)
mo = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)]); mo.ir_version = 8
onnx.checker.check_model(mo); onnx.save(mo, dst); print('ok', h, ch)
