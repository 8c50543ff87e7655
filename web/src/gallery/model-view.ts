/**
 * 3D models drawn in the browser (WebGL, three.js): the server reads a model's facts but draws no
 * picture of it, so the studio does, as it takes a video's poster frame. Loaded on demand (this
 * module and three.js are a chunk of their own): a model's detail view, or a model tile without a
 * picture yet. The files a `.gltf` (an OBJ, an FBX, a USD layer) names are fetched from the
 * server's related route, which serves only those, from beside the model.
 */
import {
  ACESFilmicToneMapping,
  AnimationMixer,
  Box3,
  LoadingManager,
  MeshLambertMaterial,
  MeshPhongMaterial,
  MeshStandardMaterial,
  type Material,
  Mesh,
  Texture,
  PerspectiveCamera,
  PMREMGenerator,
  Scene,
  Sphere,
  SRGBColorSpace,
  Timer,
  Vector3,
  WebGLRenderer,
  type AnimationAction,
  type AnimationClip,
  type Object3D,
} from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { RoomEnvironment } from 'three/addons/environments/RoomEnvironment.js';
import { FBXLoader } from 'three/addons/loaders/FBXLoader.js';
import { MeshoptDecoder } from 'three/addons/libs/meshopt_decoder.module.js';
import { DRACOLoader } from 'three/addons/loaders/DRACOLoader.js';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
import { KTX2Loader } from 'three/addons/loaders/KTX2Loader.js';
import { MTLLoader } from 'three/addons/loaders/MTLLoader.js';
import { OBJLoader } from 'three/addons/loaders/OBJLoader.js';
import type { Asset } from '../api';
import { extensionOf } from '../../../src/domain/media-facts.js';

type ModelAsset = Pick<Asset, 'urls' | 'path' | 'preview'>;

/** The side of a picture sent as the model's thumbnail when drawn without a view (the largest thumbnail's). */
const PICTURE_SIDE = 512;

/** The URL of a file the model names, by the URI it names it with. */
function relatedUrl(asset: ModelAsset, uri: string): string {
  const [base, query] = asset.urls.self.split('?');
  return `${base}/related?path=${encodeURIComponent(uri)}${query ? `&${query}` : ''}`;
}

/**
 * The folder a USD layer's loader resolves the files it names against: a marker taken off again
 * (without one it asks for a texture by its file name alone, losing its folder).
 */
const USD_BASE = 'usd-layer-folder/';

/** The URI the model names a file by, for a path its loader resolved itself (`./` dropped, say). */
function namedAs(asset: ModelAsset, asked: string): string {
  const plain = (uri: string): string => uri.replace(/^(\.\/)+/, '');
  const path = plain(asked.startsWith(USD_BASE) ? asked.slice(USD_BASE.length) : asked);
  const named = Array.isArray(asset.preview?.resources) ? asset.preview.resources : [];
  return named.find((uri): uri is string => typeof uri === 'string' && plain(uri) === path) ?? asked;
}

/** A model as shown: its scene and its animations. */
export interface Model {
  scene: Object3D;
  animations: AnimationClip[];
}

async function fetched(url: string, signal: AbortSignal | undefined): Promise<Response> {
  const res = await fetch(url, { signal: signal ?? null });
  if (!res.ok) throw new Error(`${url} could not be read (HTTP ${res.status})`);
  return res;
}

/**
 * The model, with what it names loaded (a glTF's buffers and textures; an OBJ's material
 * library, which the server lists among its resources, and its textures).
 */
export async function loadModel(asset: ModelAsset, signal?: AbortSignal): Promise<Model> {
  const manager = new LoadingManager();
  manager.setURLModifier((url) =>
    /^(data|blob):/i.test(url) ? url : relatedUrl(asset, namedAs(asset, url)),
  );
  const file = await fetched(asset.urls.file, signal);
  const ext = extensionOf(asset.path);
  if (ext === 'fbx') {
    const scene = new FBXLoader(manager).parse(await file.arrayBuffer(), '');
    scene.traverse(madeStandard);
    return { scene, animations: scene.animations };
  }
  if (ext.startsWith('usd')) {
    // (Once its textures are loaded: those of a package from inside it, the others from beside it.)
    // (A chunk of its own, ~20 KB gzipped: only USD models load it.)
    const { USDLoader } = await import('three/addons/loaders/USDLoader.js');
    const bytes = await file.arrayBuffer();
    const scene = await new Promise<Object3D>((resolve, reject) => {
      new USDLoader(manager).parse(bytes, USD_BASE, resolve, reject);
    });
    return { scene, animations: scene.animations };
  }
  if (ext !== 'obj') return gltfLoader(manager).parseAsync(await file.arrayBuffer(), '');
  const loader = new OBJLoader(manager);
  const named = asset.preview?.resources;
  const library = Array.isArray(named)
    ? named.find((uri) => typeof uri === 'string' && /\.mtl$/i.test(uri))
    : undefined;
  if (typeof library === 'string') {
    // Its textures are named relative to the library's folder (as the server lists them).
    const folder = library.includes('/') ? library.slice(0, library.lastIndexOf('/') + 1) : '';
    const text = await fetched(relatedUrl(asset, library), signal).then(
      (res) => res.text(),
      () => undefined,
    );
    if (text !== undefined) {
      const materials = new MTLLoader(manager).parse(text, folder);
      materials.preload();
      loader.setMaterials(materials);
    }
  }
  const scene = loader.parse(await file.text());
  scene.traverse(madeStandard);
  return { scene, animations: [] };
}

/** A mesh's Phong or Lambert materials (an OBJ's, an FBX's) made PBR ones (see asStandard). */
function madeStandard(node: Object3D): void {
  if (!(node instanceof Mesh)) return;
  const mesh = node as Mesh;
  // (An array when the mesh switches materials within it: its groups name them.)
  mesh.material = Array.isArray(mesh.material) ? mesh.material.map(asStandard) : asStandard(mesh.material);
}

/**
 * A Phong or Lambert material (OBJ's and FBX's) as a PBR one, lit like a glTF's by the studio
 * light (those ignore it: they would be drawn black), with its colour, textures and transparency.
 */
function asStandard(material: Material): Material {
  if (!(material instanceof MeshPhongMaterial || material instanceof MeshLambertMaterial)) return material;
  const phong = material;
  const standard = new MeshStandardMaterial({
    name: phong.name,
    color: phong.color,
    map: phong.map,
    normalMap: phong.normalMap,
    bumpMap: phong.bumpMap,
    alphaMap: phong.alphaMap,
    transparent: phong.transparent,
    opacity: phong.opacity,
    side: phong.side,
    roughness: 0.8,
    metalness: 0,
    flatShading: phong.flatShading,
    vertexColors: phong.vertexColors,
  });
  phong.dispose();
  return standard;
}

/**
 * The decoders compressed glTF needs, made once: Draco meshes and KTX2 (Basis) textures decode in
 * workers from the files the build copies to /decoders/ (web/vite.config.ts), meshopt buffers in
 * WebAssembly here. KTX2 asks the renderer which GPU texture formats it can use.
 */
let decoders: { draco: DRACOLoader; ktx2: KTX2Loader } | undefined;

function gltfLoader(manager: LoadingManager): GLTFLoader {
  decoders ??= {
    draco: new DRACOLoader().setDecoderPath('/decoders/draco/'),
    ktx2: new KTX2Loader().setTranscoderPath('/decoders/basis/').detectSupport(pictureRenderer().renderer),
  };
  return new GLTFLoader(manager)
    .setDRACOLoader(decoders.draco)
    .setKTX2Loader(decoders.ktx2)
    .setMeshoptDecoder(MeshoptDecoder);
}

/** A renderer on `canvas` with a transparent background, colours as glTF means them. */
function makeRenderer(canvas: HTMLCanvasElement): WebGLRenderer {
  const renderer = new WebGLRenderer({ canvas, alpha: true, antialias: true, preserveDrawingBuffer: true });
  renderer.setClearColor(0x000000, 0);
  renderer.outputColorSpace = SRGBColorSpace;
  renderer.toneMapping = ACESFilmicToneMapping;
  return renderer;
}

/** A neutral studio light for PBR materials (a room's reflections), made for one renderer. */
function studioLight(renderer: WebGLRenderer): Texture {
  const pmrem = new PMREMGenerator(renderer);
  const texture = pmrem.fromScene(new RoomEnvironment(), 0.04).texture;
  pmrem.dispose();
  return texture;
}

/**
 * The model in a scene lit by `light`, and a camera on it from a three-quarter view above; `target`
 * is what it looks at.
 */
function staged(model: Model, light: Texture): { scene: Scene; camera: PerspectiveCamera; target: Vector3 } {
  const scene = new Scene();
  scene.environment = light;
  scene.add(model.scene);
  const camera = new PerspectiveCamera(35, 1, 0.01, 1000);
  return { scene, camera, target: frameModel(model, camera) };
}

/** Points `camera` at the whole model from a three-quarter view above it; returns what it looks at. */
function frameModel(model: Model, camera: PerspectiveCamera): Vector3 {
  const sphere = new Box3().setFromObject(model.scene).getBoundingSphere(new Sphere());
  const radius = sphere.radius > 0 && Number.isFinite(sphere.radius) ? sphere.radius : 1;
  const distance = (radius / Math.sin((camera.fov * Math.PI) / 360)) * 1.05;
  camera.position.copy(sphere.center).addScaledVector(new Vector3(1, 0.7, 1.3).normalize(), distance);
  camera.near = distance / 100;
  camera.far = distance * 100;
  camera.lookAt(sphere.center);
  camera.updateProjectionMatrix();
  return sphere.center.clone();
}

const toPng = (canvas: HTMLCanvasElement): Promise<Blob> =>
  new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('the picture could not be encoded'))),
      'image/png',
    ),
  );

/**
 * A model shown on a canvas: turned with the pointer (drag; the wheel zooms), its animations
 * played one at a time. `dispose` frees its WebGL context (a browser keeps only a few).
 */
export class ModelStage {
  readonly clips: string[];
  private readonly renderer: WebGLRenderer;
  private readonly scene: Scene;
  private readonly camera: PerspectiveCamera;
  private readonly controls: OrbitControls;
  private readonly mixer: AnimationMixer;
  private readonly timer = new Timer();
  private readonly resize: ResizeObserver;
  private action: AnimationAction | undefined;
  private frame = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly model: Model,
  ) {
    this.renderer = makeRenderer(canvas);
    this.renderer.setPixelRatio(Math.min(2, window.devicePixelRatio));
    const { scene, camera, target } = staged(model, studioLight(this.renderer));
    [this.scene, this.camera] = [scene, camera];
    this.controls = new OrbitControls(camera, canvas);
    this.controls.enableDamping = true;
    this.controls.target.copy(target);
    this.controls.update();
    this.mixer = new AnimationMixer(model.scene);
    this.clips = model.animations.map((clip, i) => clip.name || `Animation ${i + 1}`);
    this.resize = new ResizeObserver(() => this.fit());
    this.resize.observe(canvas);
    this.fit();
    this.play(model.animations.length ? 0 : -1);
    const loop = (time: number): void => {
      this.timer.update(time);
      this.mixer.update(this.timer.getDelta());
      this.controls.update();
      this.renderer.render(this.scene, this.camera);
      this.frame = requestAnimationFrame(loop);
    };
    this.frame = requestAnimationFrame(loop);
  }

  /** Plays animation `index` from its start (-1: none, the model at rest). */
  play(index: number): void {
    this.action?.stop();
    const clip = this.model.animations[index];
    this.action = clip ? this.mixer.clipAction(clip).play() : undefined;
  }

  /** The view as it is now, as a PNG (transparent around the model). */
  picture(): Promise<Blob> {
    this.renderer.render(this.scene, this.camera);
    return toPng(this.canvas);
  }

  private fit(): void {
    const { clientWidth: width, clientHeight: height } = this.canvas;
    if (!width || !height) return;
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.resize.disconnect();
    this.controls.dispose();
    this.mixer.stopAllAction();
    disposeModel(this.model);
    this.scene.environment?.dispose();
    this.renderer.dispose();
    this.renderer.forceContextLoss();
  }
}

/** Frees what a model holds on the GPU: its geometries, materials and their textures. */
function disposeModel(model: Model): void {
  model.scene.traverse((node) => {
    if (!(node instanceof Mesh)) return;
    const mesh = node as Mesh;
    mesh.geometry.dispose();
    for (const material of [mesh.material].flat()) {
      for (const value of Object.values(material)) if (value instanceof Texture) value.dispose();
      material.dispose();
    }
  });
}

/**
 * The renderer that draws the gallery's model pictures, one for all of them (a browser keeps only
 * a few WebGL contexts), with its studio light made once; made again if its context was lost.
 */
let pictureStage: { canvas: HTMLCanvasElement; renderer: WebGLRenderer; light: Texture } | undefined;

function pictureRenderer(): NonNullable<typeof pictureStage> {
  if (!pictureStage || pictureStage.renderer.getContext().isContextLost()) {
    const canvas = document.createElement('canvas');
    canvas.width = PICTURE_SIDE;
    canvas.height = PICTURE_SIDE;
    const renderer = makeRenderer(canvas);
    pictureStage = { canvas, renderer, light: studioLight(renderer) };
  }
  return pictureStage;
}

/** The model drawn once from its default view, as a 512 px PNG (its thumbnail's source). */
export async function modelPicture(asset: ModelAsset): Promise<Blob> {
  const model = await loadModel(asset);
  try {
    const { canvas, renderer, light } = pictureRenderer();
    const { scene, camera } = staged(model, light);
    renderer.render(scene, camera);
    return await toPng(canvas);
  } finally {
    disposeModel(model);
  }
}
