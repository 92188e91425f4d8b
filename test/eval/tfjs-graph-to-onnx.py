# Minimal TF.js graph-model -> ONNX converter for the few ops used by small face embedders.
# Input exposed as NCHW [1,3,H,W]; the graph body stays NHWC with transposes around convs.
import json, sys, base64, os
import numpy as np
import onnx
from onnx import helper, TensorProto, numpy_helper

# Usage: python tfjs-graph-to-onnx.py MODEL.json OUT.onnx [OUTPUT_NODE,...]
# (needs the PyPI packages onnx and numpy; the .bin shards beside MODEL.json)
src, dst = sys.argv[1], sys.argv[2]
j = json.load(open(src))
d = os.path.dirname(src)
# weights
consts = {}
for g in j['weightsManifest']:
    buf = b''.join(open(os.path.join(d, p), 'rb').read() for p in g['paths'])
    off = 0
    for w in g['weights']:
        n = int(np.prod(w['shape'])) if w['shape'] else 1
        if 'quantization' in w:
            q = w['quantization']
            qdt = {'uint8': np.uint8, 'uint16': np.uint16, 'float16': np.float16}[q['dtype']]
            raw = np.frombuffer(buf, qdt, n, off); off += n * np.dtype(qdt).itemsize
            arr = raw.astype(np.float32) if q['dtype'] == 'float16' else raw.astype(np.float32) * q['scale'] + q['min']
        else:
            dt = {'float32': np.float32, 'int32': np.int32}[w['dtype']]
            arr = np.frombuffer(buf, dt, n, off).copy(); off += n * 4
        consts[w['name']] = arr.reshape(w['shape'])
nodes_out, inits = [], []
def s(attr): return base64.b64decode(attr['s']).decode()
def ints(attr): return [int(x) for x in attr.get('list', {}).get('i', [])]
def strs(attr): return [base64.b64decode(x).decode() for x in attr.get('list', {}).get('s', [])]
def init(name, arr):
    inits.append(numpy_helper.from_array(np.asarray(arr), name)); return name
cnt = [0]
def tmp(p): cnt[0] += 1; return f'{p}__{cnt[0]}'
def iname(x): return x.split(':')[0]
used = set()
graph_in = None
out_name = None
for n in j['modelTopology']['node']:
    op, name, ins, at = n['op'], n['name'], [iname(x) for x in n.get('input', []) if not x.startswith('^')], n.get('attr', {})
    if op == 'Const':
        if name not in consts:
            raise SystemExit(f'inline const {name}')
        continue
    if op == 'Placeholder':
        dims = [int(x.get('size', -1)) for x in at['shape']['shape']['dim']]
        H, W, C = dims[1], dims[2], dims[3]
        graph_in = helper.make_tensor_value_info('input', TensorProto.FLOAT, [1, C, H, W])
        nodes_out.append(helper.make_node('Transpose', ['input'], [name], perm=[0, 2, 3, 1]))
        continue
    def cin(x):
        if x in consts:
            if x not in used:
                a = consts[x]
                init(x, a.astype(np.int64) if a.dtype == np.int32 else a)
                used.add(x)
        return x
    if op in ('_FusedConv2D', 'FusedDepthwiseConv2dNative', 'Conv2D', 'DepthwiseConv2dNative'):
        w = consts[ins[1]]
        kh, kw, ci, co = w.shape
        st = ints(at['strides'])[1:3]
        pad = s(at['padding']) if 'padding' in at else 'VALID'
        if op in ('FusedDepthwiseConv2dNative', 'DepthwiseConv2dNative'):
            W_ = w.transpose(2, 3, 0, 1).reshape(ci * co, 1, kh, kw); group = ci
        else:
            W_ = w.transpose(3, 2, 0, 1); group = 1
        wn = init(name + '/W', W_.astype(np.float32))
        fused = strs(at['fused_ops']) if 'fused_ops' in at else []
        cins = [tmp('nchw'), wn]
        if fused and fused[0] == 'BiasAdd':
            cins.append(init(name + '/B', consts[ins[2]].astype(np.float32)))
        nodes_out.append(helper.make_node('Transpose', [ins[0]], [cins[0]], perm=[0, 3, 1, 2]))
        co_ = tmp('conv')
        kw_ = dict(strides=st, group=group, kernel_shape=[kh, kw])
        if pad == 'SAME': kw_['auto_pad'] = 'SAME_UPPER'
        nodes_out.append(helper.make_node('Conv', cins, [co_], **kw_))
        last = co_
        for f in fused[1:]:
            nx = tmp('act')
            if f == 'Relu': nodes_out.append(helper.make_node('Relu', [last], [nx]))
            elif f == 'Relu6': nodes_out.append(helper.make_node('Clip', [last, init(tmp('z'), np.float32(0)), init(tmp('six'), np.float32(6))], [nx]))
            elif f == 'Prelu':
                al = consts[ins[3]].astype(np.float32).reshape(-1, 1, 1)
                nodes_out.append(helper.make_node('PRelu', [last, init(name + '/alpha', al)], [nx]))
            else: raise SystemExit('fused ' + f)
            last = nx
        nodes_out.append(helper.make_node('Transpose', [last], [name], perm=[0, 2, 3, 1]))
        continue
    simple = {'Sigmoid': 'Sigmoid', 'Softmax': 'Softmax', 'Add': 'Add', 'AddV2': 'Add', 'Mul': 'Mul', 'Sub': 'Sub', 'Abs': 'Abs', 'Relu': 'Relu', 'Maximum': 'Max', 'Minimum': 'Min', 'MatMul': 'MatMul'}
    if op in simple:
        nodes_out.append(helper.make_node(simple[op], [cin(x) for x in ins], [name])); continue
    if op == '_FusedMatMul':
        nodes_out.append(helper.make_node('Gemm', [ins[0], cin(ins[1]), cin(ins[2])], [name])); continue
    if op == 'Square':
        nodes_out.append(helper.make_node('Mul', [ins[0], ins[0]], [name])); continue
    if op == 'Rsqrt':
        t = tmp('sqrt'); nodes_out.append(helper.make_node('Sqrt', ins, [t])); nodes_out.append(helper.make_node('Reciprocal', [t], [name])); continue
    if op in ('Sum', 'Mean'):
        axes = consts[ins[1]].astype(np.int64).reshape(-1)
        keep = int(at.get('keep_dims', {}).get('b', False))
        if op == 'Sum': nodes_out.append(helper.make_node('ReduceSum', [ins[0], init(tmp('axes'), axes)], [name], keepdims=keep))
        else: nodes_out.append(helper.make_node('ReduceMean', [ins[0]], [name], axes=[int(a) for a in axes], keepdims=keep))
        continue
    if op == 'Squeeze':
        ax = ints(at['squeeze_dims']) if 'squeeze_dims' in at else None
        nodes_out.append(helper.make_node('Squeeze', [ins[0]] + ([init(tmp('sq'), np.array(ax, np.int64))] if ax else []), [name])); continue
    if op == 'Reshape':
        nodes_out.append(helper.make_node('Reshape', [ins[0], init(tmp('shape'), consts[ins[1]].astype(np.int64))], [name])); continue
    if op == 'Pad':
        p = consts[ins[1]].astype(np.int64)  # [rank,2]
        nodes_out.append(helper.make_node('Pad', [ins[0], init(tmp('pads'), np.concatenate([p[:, 0], p[:, 1]]))], [name])); continue
    raise SystemExit(f'unsupported op {op} ({name})')
outputs = sys.argv[3].split(',') if len(sys.argv) > 3 else None
if outputs is None:
    consumed = {iname(x) for n in j['modelTopology']['node'] for x in n.get('input', [])}
    outputs = [n['name'] for n in j['modelTopology']['node'] if n['name'] not in consumed and n['op'] != 'Const']
g = helper.make_graph(nodes_out, 'embedder', [graph_in], [helper.make_tensor_value_info(o, TensorProto.FLOAT, [1, "d"]) for o in outputs], inits)
m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)], producer_name='tfjs2onnx-minimal')
m.ir_version = 8
onnx.checker.check_model(m)
onnx.save(m, dst)
print('wrote', dst, 'outputs', outputs)
